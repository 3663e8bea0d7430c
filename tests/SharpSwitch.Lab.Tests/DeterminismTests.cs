// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Reports;

namespace SharpSwitch.Lab.Tests;

/// <summary>The same scenario file gives byte-identical reports, run after run.</summary>
public sealed class DeterminismTests
{
    [Theory]
    [InlineData("operator-no-primary.yaml")]
    [InlineData("failback-better.yaml")]
    [InlineData("failback-flap.yaml")]
    public void Running_twice_gives_identical_text_and_json(string example)
    {
        string firstText = TextReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        string secondText = TextReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        string firstJson = JsonReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        string secondJson = JsonReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));

        Assert.Equal(firstText, secondText);
        Assert.Equal(firstJson, secondJson);
    }
}
