using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Core.Configuration;

/// <summary>
/// Options that state their own rules: every problem is one message that names its configuration key
/// (<c>Kafka:MessageTimeoutMs must be positive, was 0</c>); none means valid. The host checks them on start through
/// <see cref="CheckedOptionsValidator{TOptions}"/>, and a part built directly checks them through <see cref="OptionsCheck"/>,
/// so both report alike.
/// </summary>
public interface ICheckedOptions
{
    /// <summary>Every problem, each naming its key; empty when valid. Never quotes a secret.</summary>
    IEnumerable<string> Errors();
}

/// <summary>The one <see cref="IValidateOptions{TOptions}"/> of every <see cref="ICheckedOptions"/>: fails with all of its errors.</summary>
public sealed class CheckedOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class, ICheckedOptions
{
    public static CheckedOptionsValidator<TOptions> Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsCheck.Result(options.Errors());
    }
}

/// <summary>How a part built without the host (tests, simulators, the pipeline) refuses bad options: the host's validator, thrown.</summary>
public static class OptionsCheck
{
    /// <summary>Returns <paramref name="options"/> when valid; otherwise throws one <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static TOptions ThrowIfInvalid<TOptions>(IValidateOptions<TOptions> validator, TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures ?? [result.FailureMessage]);
        }

        return options;
    }

    /// <summary>Success when there is no error, else a failure carrying every one.</summary>
    public static ValidateOptionsResult Result(IEnumerable<string> errors)
    {
        var list = errors.ToList();
        return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
    }

    /// <summary><see cref="ThrowIfInvalid{TOptions}(IValidateOptions{TOptions}, TOptions)"/> with <see cref="CheckedOptionsValidator{TOptions}"/>.</summary>
    public static TOptions ThrowIfInvalid<TOptions>(TOptions options)
        where TOptions : class, ICheckedOptions =>
        ThrowIfInvalid(CheckedOptionsValidator<TOptions>.Instance, options);
}
