using TradingActors.Cli;

return await Tradectl.RunAsync(args);
