using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>
/// Turns the configuration binder's and the options validators' exceptions into one line per problem that names the key
/// and the accepted form, for start-up errors that an operator reads (no stack trace).
/// </summary>
public static partial class ConfigurationErrors
{
    /// <summary>
    /// The problems in <paramref name="exception"/> when it is a configuration error (a value that does not convert, or failed
    /// validation, possibly wrapped); otherwise false.
    /// </summary>
    public static bool TryDescribe(Exception exception, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        Collect(exception, found);
        problems = found;
        return found.Count > 0;
    }

    private static void Collect(Exception exception, List<string> found)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                found.AddRange(validation.Failures);
                return;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions) Collect(inner, found);
                return;
            case InvalidOperationException when BinderFailure().Match(exception.Message) is { Success: true } m:
                found.Add(Describe(m.Groups["key"].Value, m.Groups["value"].Value, m.Groups["type"].Value));
                return;
        }

        if (exception.InnerException is { } next) Collect(next, found);
    }

    /// <summary>"Admin:Port = 'abc' is not valid: expected a whole number (Int32) (set by --set Admin:Port=..., Admin__Port or appsettings.json)".</summary>
    public static string Describe(string key, string value, string typeName) =>
        $"{key} = '{value}' is not valid: expected {AcceptedForm(typeName)} (set by --set {key}=..., {key.Replace(":", "__", StringComparison.Ordinal)} or appsettings.json)";

    /// <summary>What a value of the bound type looks like, in an operator's words.</summary>
    public static string AcceptedForm(string typeName)
    {
        var name = NullableOf().Match(typeName) is { Success: true } n ? n.Groups["inner"].Value : typeName;
        return name switch
        {
            "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" =>
                $"a whole number ({ShortName(name)})",
            "System.Double" or "System.Single" or "System.Decimal" => "a number such as 0.25 (invariant culture)",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a time span [d.]hh:mm:ss[.fff], such as 00:00:30",
            "System.Uri" => "an absolute URI",
            "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 time",
            _ when FindEnum(name) is { } e => $"one of {string.Join(", ", Enum.GetNames(e))}",
            _ => $"a value of type {ShortName(name)}",
        };
    }

    private static string ShortName(string typeName) => typeName[(typeName.LastIndexOf('.') + 1)..];

    private static Type? FindEnum(string typeName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is { IsEnum: true });

    // Microsoft.Extensions.Configuration.Binder: "Failed to convert configuration value 'v' at 'Key:Path' to type 'T'."
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BinderFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[(?<inner>[^,\]]+)")]
    private static partial Regex NullableOf();
}
