using Cloudwall.Rx.Hosting.Cli;

return await CommandLine.RunAsync(args, Console.Out, Console.Error);
