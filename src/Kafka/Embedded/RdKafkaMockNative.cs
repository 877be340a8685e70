using System.Runtime.InteropServices;

namespace Cloudwall.Rx.Kafka.Embedded;

/// <summary>
/// Bindings to librdkafka's mock-cluster C API (rdkafka_mock.h), which Confluent.Kafka does not wrap. We bind to the very
/// copy of librdkafka that Confluent.Kafka already loaded, so one native library (and one set of globals) serves both.
/// </summary>
internal static class RdKafkaMockNative
{
    private const string CentosVariant = "centos8-librdkafka.so";

    private static readonly Lazy<Api> Instance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Api Functions => Instance.Value;

    /// <summary>The file the bindings were loaded from (for diagnostics and the single-copy test).</summary>
    public static string LibraryPath => Functions.Path;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate IntPtr ConfNew();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void ConfDestroy(IntPtr conf);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int ConfSet(IntPtr conf, byte[] name, byte[] value, byte[] errstr, UIntPtr errstrSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate IntPtr New(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void Destroy(IntPtr rk);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void MockClusterDestroy(IntPtr mcluster);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate IntPtr MockClusterBootstraps(IntPtr mcluster);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int MockTopicCreate(IntPtr mcluster, byte[] topic, int partitionCount, int replicationFactor);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int MockBrokerSet(IntPtr mcluster, int brokerId);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void MockPushRequestErrorsArray(IntPtr mcluster, short apiKey, UIntPtr count, int[] errors);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void MockClearRequestErrors(IntPtr mcluster, short apiKey);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int MockPartitionSetLeader(IntPtr mcluster, byte[] topic, int partition, int brokerId);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void MockGroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    public sealed record Api(
        string Path,
        ConfNew ConfNew,
        ConfDestroy ConfDestroy,
        ConfSet ConfSet,
        New New,
        Destroy Destroy,
        MockClusterNew MockClusterNew,
        MockClusterDestroy MockClusterDestroy,
        MockClusterBootstraps MockClusterBootstraps,
        MockTopicCreate MockTopicCreate,
        MockBrokerSet MockBrokerSetDown,
        MockBrokerSet MockBrokerSetUp,
        MockPushRequestErrorsArray MockPushRequestErrorsArray,
        MockClearRequestErrors MockClearRequestErrors,
        MockPartitionSetLeader MockPartitionSetLeader,
        MockGroupInitialRebalanceDelayMs MockGroupInitialRebalanceDelayMs);

    /// <summary>Null-terminated UTF-8, the form every <c>const char*</c> parameter takes.</summary>
    public static byte[] Utf8Z(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    public static string FromErrstr(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return System.Text.Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }

    private static Api Load()
    {
        // Touching the version makes Confluent.Kafka pick and load its native library first; we then open the same file,
        // which the dynamic loader recognises as already loaded and hands back without mapping a second copy.
        _ = Confluent.Kafka.Library.Version;
        var path = FindLoadedCopy() ?? FindShippedCopy()
            ?? throw new DllNotFoundException("librdkafka: no loaded copy found and none shipped next to Confluent.Kafka.dll");
        var handle = NativeLibrary.Load(path);

        return new Api(
            path,
            Bind<ConfNew>(handle, "rd_kafka_conf_new"),
            Bind<ConfDestroy>(handle, "rd_kafka_conf_destroy"),
            Bind<ConfSet>(handle, "rd_kafka_conf_set"),
            Bind<New>(handle, "rd_kafka_new"),
            Bind<Destroy>(handle, "rd_kafka_destroy"),
            Bind<MockClusterNew>(handle, "rd_kafka_mock_cluster_new"),
            Bind<MockClusterDestroy>(handle, "rd_kafka_mock_cluster_destroy"),
            Bind<MockClusterBootstraps>(handle, "rd_kafka_mock_cluster_bootstraps"),
            Bind<MockTopicCreate>(handle, "rd_kafka_mock_topic_create"),
            Bind<MockBrokerSet>(handle, "rd_kafka_mock_broker_set_down"),
            Bind<MockBrokerSet>(handle, "rd_kafka_mock_broker_set_up"),
            Bind<MockPushRequestErrorsArray>(handle, "rd_kafka_mock_push_request_errors_array"),
            Bind<MockClearRequestErrors>(handle, "rd_kafka_mock_clear_request_errors"),
            Bind<MockPartitionSetLeader>(handle, "rd_kafka_mock_partition_set_leader"),
            Bind<MockGroupInitialRebalanceDelayMs>(handle, "rd_kafka_mock_group_initial_rebalance_delay_ms"));
    }

    private static T Bind<T>(IntPtr handle, string name) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, name));

    /// <summary>The librdkafka file Confluent.Kafka mapped into this process (Linux: read from /proc/self/maps).</summary>
    private static string? FindLoadedCopy() => LoadedLibrdkafkaPaths().FirstOrDefault();

    /// <summary>Every distinct librdkafka file mapped into this process. More than one means two copies of its globals.</summary>
    public static IReadOnlyList<string> LoadedLibrdkafkaPaths()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var file = line[slash..];
            if (System.IO.Path.GetFileName(file).Contains("librdkafka", StringComparison.Ordinal) && !found.Contains(file))
            {
                found.Add(file);
            }
        }

        return found;
    }

    private static string? FindShippedCopy()
    {
        var dir = System.IO.Path.GetDirectoryName(typeof(Confluent.Kafka.Library).Assembly.Location) ?? AppContext.BaseDirectory;
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (var name in new[] { CentosVariant, "librdkafka.so" })
        {
            var candidate = System.IO.Path.Combine(dir, "runtimes", rid, "native", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
