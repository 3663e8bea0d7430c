// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Testing;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The HTML report as a browser shows it: headless Chromium, with every host name resolving to nothing, lays out the
/// chart's lanes, spans and markers (read back from the DOM it dumps), paints them (read back from a screenshot),
/// and its network log shows that the page asked for nothing.
/// </summary>
public sealed class HtmlChromiumTests
{
    [RequiresToolsFact("chromium")]
    public void Chromium_renders_the_chart_and_loads_nothing_from_elsewhere()
    {
        string dir = Directory.CreateTempSubdirectory("sharpswitch-chromium-").FullName;
        try
        {
            string report = Path.Combine(dir, "report.html");
            File.WriteAllText(report, HtmlReport.Render(LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"))));
            string url = new Uri(report).AbsoluteUri;

            string dom = RunChromium(dir, "dom", ["--dump-dom", url]);
            CheckDom(dom);

            string png = Path.Combine(dir, "chart.png");
            string netLog = Path.Combine(dir, "net-log.json");
            RunChromium(dir, "shot", [$"--screenshot={png}", "--window-size=1200,1000", "--force-device-scale-factor=1", $"--log-net-log={netLog}", url]);
            CheckScreenshot(png);
            CheckNetLog(File.ReadAllText(netLog));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [RequiresToolsFact("chromium")]
    public void The_net_log_check_catches_a_page_that_fetches_something()
    {
        // The check above passes only if it can fail: a page with one remote image must be caught.
        string dir = Directory.CreateTempSubdirectory("sharpswitch-chromium-").FullName;
        try
        {
            string page = Path.Combine(dir, "fetching.html");
            File.WriteAllText(page, "<!DOCTYPE html><html><body><img src=\"http://report-assets.example/chart.png\" alt=\"\"/></body></html>");
            string netLog = Path.Combine(dir, "net-log.json");
            RunChromium(dir, "fetch", [$"--screenshot={Path.Combine(dir, "page.png")}", $"--log-net-log={netLog}", new Uri(page).AbsoluteUri]);
            Assert.Throws<Xunit.Sdk.EmptyException>(() => CheckNetLog(File.ReadAllText(netLog)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void CheckDom(string dom)
    {
        // The DOM is Chromium's, after parsing: the SVG elements exist only if it took the inline SVG as SVG.
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lab-chart\"", dom, StringComparison.Ordinal);
        string eno1 = Lane(dom, "eno1");
        string eno2 = Lane(dom, "eno2");
        // operator-no-primary: eno1 is enabled and active until its cable is pulled at 10 s, enabled again from
        // 20 s but never active again; eno2 is enabled throughout and active from 10 s on.
        Assert.Equal(["0-10000", "20000-30000"], Spans(eno1, "enabled"));
        Assert.Equal(["0-10000"], Spans(eno1, "active"));
        Assert.Equal(["0-30000"], Spans(eno2, "enabled"));
        Assert.Equal(["10000-30000"], Spans(eno2, "active"));
        Assert.Contains("class=\"rate tx\"", eno1, StringComparison.Ordinal);
        Assert.Contains("class=\"rate rx\"", eno2, StringComparison.Ordinal);
        Assert.Matches("<path [^>]*class=\"marker", eno2);
        Assert.Contains("data-text=\"link-down sw1:eno1\"", dom, StringComparison.Ordinal);
        Assert.Contains("data-text=\"link-up sw1:eno1\"", dom, StringComparison.Ordinal);
    }

    private static string Lane(string dom, string member)
    {
        Match lane = Regex.Match(dom, $"<g class=\"lane\"[^>]*data-member=\"{member}\"[^>]*>(.*?)</g>", RegexOptions.Singleline);
        Assert.True(lane.Success, $"no lane for {member} in Chromium's DOM");
        return lane.Groups[1].Value;
    }

    private static List<string> Spans(string lane, string kind) =>
        Regex.Matches(lane, $"<rect class=\"span {kind}\" data-start-ms=\"(\\d+)\" data-end-ms=\"(\\d+)\"")
            .Select(m => m.Groups[1].Value + "-" + m.Groups[2].Value)
            .ToList();

    private static void CheckScreenshot(string path)
    {
        (int width, int height, byte[] rgb) = Png.DecodeRgb(File.ReadAllBytes(path));
        Assert.Equal(1200, width);
        Assert.Equal(1000, height);
        // The chart's span colours appear nowhere else on the page, so their painted areas are the spans. 30 s are
        // 810 px of lane: enabled spans cover 10 + 10 s of eno1 and 30 s of eno2 (1350 px wide, 56 px high), active
        // bars 10 s of eno1 and 20 s of eno2 (810 px wide, 8 px high). The rate lines drawn over them and
        // anti-aliased edges take some pixels, hence the allowance.
        (int enabled, int enabledLeft, int enabledRight) = Area(width, height, rgb, 0xd8, 0xf0, 0xd8);
        (int active, _, _) = Area(width, height, rgb, 0x2b, 0x6c, 0xb0);
        (int marker, _, _) = Area(width, height, rgb, 0xc5, 0x30, 0x30);
        Assert.True(enabled >= 0.85 * 1350 * 56, $"enabled spans painted on {enabled} px");
        Assert.True(active >= 0.85 * 810 * 8, $"active bars painted on {active} px");
        Assert.True(marker > 0, "no event line or marker painted");
        // The chart spans 810 px of lane from 0 s to 30 s.
        Assert.InRange(enabledRight - enabledLeft + 1, 800, 820);
    }

    private static (int Count, int Left, int Right) Area(int width, int height, byte[] rgb, byte r, byte g, byte b)
    {
        int count = 0;
        int left = int.MaxValue;
        int right = -1;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                if (rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b)
                {
                    count++;
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                }
            }
        }
        return (count, left, right);
    }

    private static void CheckNetLog(string netLog)
    {
        // Every request Chromium's network stack starts is logged as URL_REQUEST_START_JOB with its initiator. The
        // browser's own background requests (component updates, time, accounts: they would fail here, as every name
        // resolves to nothing) have no initiating origin; a request made by a page has one, "null" for a file://
        // page. So the report made no request exactly when no job names an initiating origin.
        using JsonDocument log = JsonDocument.Parse(netLog);
        int startJob = log.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var pageRequests = new List<string>();
        foreach (JsonElement e in log.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() == startJob
                && e.TryGetProperty("params", out JsonElement parameters)
                && parameters.TryGetProperty("initiator", out JsonElement initiator)
                && initiator.GetString() != "not an origin")
            {
                pageRequests.Add($"{initiator.GetString()} -> {parameters.GetProperty("url").GetString()}");
            }
        }
        Assert.Empty(pageRequests);
    }

    private static string RunChromium(string dir, string profile, string[] args)
    {
        var start = new ProcessStartInfo(Requirements.FindExecutable("chromium")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A fresh profile per run keeps the user's (and other tests') Chromium state out; the resolver rule makes
        // every host name unresolvable, and background networking is off so that only the page could fetch.
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", $"--user-data-dir={Path.Combine(dir, "profile-" + profile)}",
        }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (error) { error.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        try
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "chromium did not finish within 60 s");
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {error}");
            return output.Result;
        }
        finally
        {
            if (!process.HasExited)
            {
                // Headless Chromium runs helper processes in its own process group; killing the tree ends them too.
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    /// <summary>Just enough PNG decoding for a screenshot: 8-bit RGB or RGBA, not interlaced, every row filter.</summary>
    private static class Png
    {
        public static (int Width, int Height, byte[] Rgb) DecodeRgb(byte[] file)
        {
            Assert.True(file.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }), "not a PNG");
            int width = 0;
            int height = 0;
            int channels = 0;
            using var idat = new MemoryStream();
            int offset = 8;
            while (offset + 8 <= file.Length)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(offset));
                string type = Encoding.ASCII.GetString(file, offset + 4, 4);
                ReadOnlySpan<byte> data = file.AsSpan(offset + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(8, data[8]);
                    channels = data[9] switch
                    {
                        2 => 3,
                        6 => 4,
                        _ => throw new InvalidDataException($"PNG colour type {data[9]} is not RGB or RGBA"),
                    };
                    Assert.Equal(0, data[12]);
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                else if (type == "IEND")
                {
                    break;
                }
                offset += 12 + length;
            }
            idat.Position = 0;
            using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
            using var raw = new MemoryStream();
            inflate.CopyTo(raw);
            byte[] bytes = raw.ToArray();
            int stride = width * channels;
            Assert.Equal(height * (stride + 1), bytes.Length);

            byte[] previous = new byte[stride];
            byte[] row = new byte[stride];
            byte[] rgb = new byte[width * height * 3];
            for (int y = 0; y < height; y++)
            {
                int filter = bytes[y * (stride + 1)];
                Array.Copy(bytes, (y * (stride + 1)) + 1, row, 0, stride);
                for (int i = 0; i < stride; i++)
                {
                    int a = i >= channels ? row[i - channels] : 0;
                    int b = previous[i];
                    int c = i >= channels ? previous[i - channels] : 0;
                    row[i] = (byte)(row[i] + filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => throw new InvalidDataException($"PNG row filter {filter}"),
                    });
                }
                for (int x = 0; x < width; x++)
                {
                    rgb[((y * width) + x) * 3] = row[x * channels];
                    rgb[(((y * width) + x) * 3) + 1] = row[(x * channels) + 1];
                    rgb[(((y * width) + x) * 3) + 2] = row[(x * channels) + 2];
                }
                (previous, row) = (row, previous);
            }
            return (width, height, rgb);
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c;
            int pa = Math.Abs(p - a);
            int pb = Math.Abs(p - b);
            int pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
