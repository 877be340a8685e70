using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// The spectral residual saliency score (Ren et al., "Time-Series Anomaly Detection Service at Microsoft", KDD 2019;
/// the SR part of ML.NET's SR-CNN detector). Steps: append estimated points after the end (so the last real point is
/// not at the FFT boundary), FFT, log amplitude, average filter, spectral residual = log amplitude − its average,
/// inverse FFT of exp(residual) with the original phase → saliency map S, score = (S − local mean of S) / local mean.
/// One instance reuses its buffers: not thread-safe.
/// </summary>
public sealed class SpectralResidual
{
    /// <summary>Points appended after the series (the paper's κ; ML.NET's back-add window).</summary>
    public const int ExtendCount = 5;

    /// <summary>Points used for the extrapolation gradient (the paper's m; ML.NET's look-ahead window).</summary>
    public const int LookBack = 5;

    /// <summary>Average-filter width on the log-amplitude spectrum (the paper's q = 3).</summary>
    public const int SpectrumFilter = 3;

    /// <summary>Local-mean width on the saliency map (ML.NET's judgement window, z = 21).</summary>
    public const int SaliencyFilter = 21;

    private const double Epsilon = 1e-8;

    private Complex[] _spectrum = [];
    private double[] _a = [];
    private double[] _b = [];

    /// <summary>Scores every point of <paramref name="series"/> into <paramref name="scores"/> (same length, at least 2 × <see cref="LookBack"/>).</summary>
    public void Score(ReadOnlySpan<double> series, Span<double> scores)
    {
        var n = series.Length;
        if (n < LookBack + 3) throw new ArgumentException($"need at least {LookBack + 3} points", nameof(series));
        if (scores.Length < n) throw new ArgumentException("scores shorter than the series", nameof(scores));
        var len = n + ExtendCount;
        Ensure(len);

        // 1. Extrapolate (ML.NET BackAdd/PredictNext): the next value from the mean gradient of the points just before the
        //    last one, repeated. Leaving the last point out keeps a spike there from being extrapolated into a plateau.
        var next = PredictNext(series.Slice(n - LookBack - 2, LookBack + 1));
        var spectrum = _spectrum.AsSpan(0, len);
        for (var i = 0; i < n; i++) spectrum[i] = new Complex(series[i], 0);
        for (var i = n; i < len; i++) spectrum[i] = new Complex(next, 0);

        // 2. Spectrum, log amplitude, and its average.
        Fourier.Forward(_spectrum, FourierOptions.Matlab);
        var logAmp = _a.AsSpan(0, len);
        for (var i = 0; i < len; i++)
        {
            var mag = spectrum[i].Magnitude;
            logAmp[i] = mag > Epsilon ? Math.Log(mag) : 0;
        }

        var avg = _b.AsSpan(0, len);
        AverageFilter(logAmp, avg, SpectrumFilter);

        // 3. Residual back to the time domain, keeping the phase.
        for (var i = 0; i < len; i++)
        {
            var mag = spectrum[i].Magnitude;
            if (mag <= Epsilon)
            {
                spectrum[i] = Complex.Zero;
                continue;
            }

            var residual = Math.Exp(logAmp[i] - avg[i]);
            spectrum[i] = new Complex(spectrum[i].Real / mag * residual, spectrum[i].Imaginary / mag * residual);
        }

        Fourier.Inverse(_spectrum, FourierOptions.Matlab);
        var saliency = _a.AsSpan(0, len);
        for (var i = 0; i < len; i++) saliency[i] = spectrum[i].Magnitude;

        // 4. Score against the local (trailing) mean of the saliency map.
        var local = _b.AsSpan(0, len);
        AverageFilter(saliency, local, SaliencyFilter);
        for (var i = 0; i < n; i++)
        {
            scores[i] = local[i] > Epsilon ? (saliency[i] - local[i]) / local[i] : 0;
        }
    }

    /// <summary>ML.NET's PredictNext: the first point plus the summed gradients from every point to the last.</summary>
    internal static double PredictNext(ReadOnlySpan<double> tail)
    {
        var n = tail.Length;
        var slopeSum = 0.0;
        for (var i = 0; i < n - 1; i++) slopeSum += (tail[n - 1] - tail[i]) / (n - 1 - i);
        return tail[1] + slopeSum;
    }

    /// <summary>Trailing mean over <paramref name="width"/> points (shorter at the start).</summary>
    internal static void AverageFilter(ReadOnlySpan<double> values, Span<double> result, int width)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= width) sum -= values[i - width];
            result[i] = sum / Math.Min(i + 1, width);
        }
    }

    private void Ensure(int len)
    {
        if (_spectrum.Length == len) return;
        // Fourier.Forward transforms the whole array, so the buffer is exactly the padded length.
        _spectrum = new Complex[len];
        if (_a.Length < len)
        {
            _a = new double[len];
            _b = new double[len];
        }
    }
}
