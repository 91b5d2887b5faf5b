using OrleansChat.Bench;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.Error.WriteLine(BenchOptions.Usage);
    Console.Error.WriteLine(PresenceStormOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    if (args[0] == "summarize")
    {
        return Summary.Print(args.Skip(1).ToArray());
    }

    if (args[0] == "presence")
    {
        return await new PresenceStorm(PresenceStormOptions.Parse(args[1..])).RunAsync();
    }

    var options = BenchOptions.Parse(args[0] == "run" ? args[1..] : args);
    return await new Runner(options).RunAsync();
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
