using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// Typed options shared by the verbs. Each parser turns a bad value into a parse error that names the option and the
/// accepted form, so <see cref="CommandLine"/> reports it as a usage error (exit 2) instead of an exception.
/// </summary>
internal static class CliOptions
{
    public const string DurationForms = "500ms, 20s, 5m, 1h, 00:01:30";

    /// <summary>A duration: 500ms, 20s, 5m, 1h, or hh:mm:ss.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = r => CommandLine.TryParseDuration(r.Tokens[0].Value, out var d)
            ? d
            : Error<TimeSpan?>(r, $"{name}: '{r.Tokens[0].Value}' is not a duration (examples: {DurationForms})"),
    };

    /// <summary>A whole number of type <typeparamref name="T"/> (invariant culture).</summary>
    public static Option<T?> Number<T>(string name, string description, string helpName = "N")
        where T : struct, IBinaryInteger<T> => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r => T.TryParse(r.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : Error<T?>(r, $"{name}: '{r.Tokens[0].Value}' is not a whole number (example: {name} 100)"),
    };

    /// <summary>A non-negative number such as <c>0.5</c> (invariant culture).</summary>
    public static Option<double?> Real(string name, string description, string helpName = "X") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r => double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x >= 0 && double.IsFinite(x)
            ? x
            : Error<double?>(r, $"{name}: '{r.Tokens[0].Value}' is not a number of 0 or more (example: {name} 0.5)"),
    };

    /// <summary><c>true</c> or <c>false</c>, always given (<c>--tls true</c>), so a wrong word is this option's error.</summary>
    /// <remarks>
    /// A text option checked by a validator: for a <c>bool</c> option the parser leaves a word that is not a boolean
    /// unconsumed, and the error would name the word, not the option. Read it with <see cref="IsTrue"/>.
    /// </remarks>
    public static Option<string?> Bool(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "true|false" };
        option.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && !bool.TryParse(token.Value, out _)) r.AddError($"{name}: '{token.Value}' is not true or false");
        });
        option.CompletionSources.Add("true", "false");
        return option;
    }

    /// <summary>The value of a <see cref="Bool"/> option; false when not given.</summary>
    public static bool IsTrue(this ParseResult result, Option<string?> option) => result.GetValue(option) is { } text && bool.Parse(text);

    /// <summary>One of <paramref name="names"/>; completion offers them.</summary>
    public static Option<string> OneOf(string name, string description, IReadOnlyList<string> names, string? defaultValue = null, string? helpName = null)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName ?? string.Join('|', names) };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        option.AcceptOnlyFromAmong([.. names]);
        return option;
    }

    /// <summary>A string value.</summary>
    public static Option<string?> Text(string name, string description, string helpName, bool required = false) =>
        new(name) { Description = description, HelpName = helpName, Required = required };

    /// <summary>Repeated <c>--set Section:Key=Value</c>: configuration over appsettings.json and the environment.</summary>
    public static Option<KeyValuePair<string, string?>[]> Settings() => new("--set")
    {
        Description = "a configuration value over appsettings.json and the environment (repeatable)",
        HelpName = "Section:Key=Value",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
        CustomParser = r =>
        {
            var settings = new KeyValuePair<string, string?>[r.Tokens.Count];
            for (var i = 0; i < settings.Length; i++)
            {
                var text = r.Tokens[i].Value;
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) return Error<KeyValuePair<string, string?>[]>(r, $"--set expects Section:Key=Value, got '{text}'");
                settings[i] = new(text[..eq], text[(eq + 1)..]);
            }

            return settings;
        },
    };

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
