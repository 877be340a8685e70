using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>Builds the host's reference data with its configured cap, and logs (once) when the cap first refuses an instrument.</summary>
public static partial class ReferenceDataCapacity
{
    public static ReferenceData Create(IngestionOptions options, ILoggerFactory loggers)
    {
        var refData = new ReferenceData(options.MaxInstruments);
        var logger = loggers.CreateLogger<ReferenceData>();
        refData.CapacityReached += max => LogFull(logger, max);
        return refData;
    }

    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning,
        Message = "Reference data is full ({Max} instruments, Ingestion:MaxInstruments): new instruments are refused as unknown symbols and counted")]
    private static partial void LogFull(ILogger logger, int max);
}
