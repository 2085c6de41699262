// CommandEnvironment is static (the console a run writes to): one tradectl run at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
