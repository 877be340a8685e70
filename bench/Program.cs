using BenchmarkDotNet.Running;

// Micro-benchmarks: dotnet run -c Release --project bench -- --filter '*'
// The end-to-end harness is `cloudwall-rx run --for 60s --summary-json out.json` against the simulators.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
