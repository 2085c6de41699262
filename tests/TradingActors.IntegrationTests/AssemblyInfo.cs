// Each test runs whole actor systems against PostgreSQL; on 2 cores they are run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
