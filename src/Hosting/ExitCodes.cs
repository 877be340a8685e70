namespace Cloudwall.Rx.Hosting;

/// <summary>The exit codes of <c>cloudwall-rx</c>, one meaning each (README "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>The verb did what was asked (help included).</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: a service could not be reached, a command was rejected, a file did not read.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration error: a bad option or argument, a configuration value that does not bind or validate.</summary>
    public const int Usage = 2;

    /// <summary>A fatal Kafka error (fenced, unauthorized, ...) stopped the process.</summary>
    public const int FatalKafka = 3;
}
