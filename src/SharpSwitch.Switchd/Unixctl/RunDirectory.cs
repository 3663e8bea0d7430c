// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd.Unixctl;

/// <summary>Where OVS-style daemons keep pidfiles and sockets: <c>$OVS_RUNDIR</c>, else /var/run/openvswitch.</summary>
public static class RunDirectory
{
    /// <summary>The default run directory, honouring <c>OVS_RUNDIR</c> as the OVS tools do.</summary>
    public static string Default
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("OVS_RUNDIR");
            return string.IsNullOrEmpty(fromEnvironment) ? "/var/run/openvswitch" : fromEnvironment;
        }
    }

    /// <summary>The default pidfile of a program: <c>RUNDIR/NAME.pid</c>.</summary>
    public static string PidfilePath(string program, string? runDirectory = null) => Path.Combine(runDirectory ?? Default, program + ".pid");

    /// <summary>The default control socket of a program: <c>RUNDIR/NAME.PID.ctl</c>.</summary>
    public static string ControlSocketPath(string program, int pid, string? runDirectory = null) => Path.Combine(runDirectory ?? Default, $"{program}.{pid}.ctl");
}
