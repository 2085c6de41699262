using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace TradingActors.Engine.Hosting;

/// <summary>Where to send things in a started engine: its actor system and the regions and router AddTradingEngine registered.</summary>
public sealed record EngineEntryPoints(ActorSystem System, IActorRef Tenants, IActorRef Fanout, IActorRef Strategies)
{
    public static EngineEntryPoints From(IServiceProvider services)
    {
        var registry = services.GetRequiredService<IActorRegistry>();
        return new EngineEntryPoints(
            services.GetRequiredService<ActorSystem>(),
            registry.Get<TenantRegion>(),
            registry.Get<FanoutRegion>(),
            registry.Get<StrategyRouterKey>());
    }
}
