using TradingActors.Engine.Hosting;

namespace TradingActors.Engine.Tests.Hosting;

/// <summary>Trading:Cluster:Roles decides what a node hosts (decision 015); a mistyped role must stop the node at start.</summary>
public sealed class NodeRolesTests
{
    [Fact]
    public void A_node_has_every_role_unless_told_otherwise()
    {
        var cluster = new ClusterSettings();

        Assert.Equal(["engine", "api", "feed"], cluster.RoleList);
        Assert.True(cluster.Has(NodeRoles.Engine) && cluster.Has(NodeRoles.Api) && cluster.Has(NodeRoles.Feed));
        Assert.Null(cluster.RolesError());
    }

    [Theory]
    [InlineData("engine", true, false, false)]
    [InlineData("api", false, true, false)]
    [InlineData(" engine , feed ", true, false, true)]
    [InlineData("api,engine", true, true, false)]
    public void Roles_are_a_comma_separated_list(string roles, bool engine, bool api, bool feed)
    {
        var cluster = new ClusterSettings { Roles = roles };

        Assert.Null(cluster.RolesError());
        Assert.Equal(engine, cluster.Has(NodeRoles.Engine));
        Assert.Equal(api, cluster.Has(NodeRoles.Api));
        Assert.Equal(feed, cluster.Has(NodeRoles.Feed));
    }

    [Theory]
    [InlineData("", "needs at least one of engine, api, feed")]
    [InlineData(" , ", "needs at least one of engine, api, feed")]
    [InlineData("engine,Api", "has 'Api'; the roles are engine, api, feed")]
    [InlineData("engine,seed", "has 'seed'; the roles are engine, api, feed")]
    public void Unknown_or_missing_roles_are_refused_at_start(string roles, string expected)
    {
        var options = new TradingEngineOptions { ConnectionString = "Host=db", Cluster = new ClusterSettings { Roles = roles } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Trading:Cluster:Roles " + expected, error.Message);
    }

    [Fact]
    public void Valid_roles_pass_validation()
    {
        var options = new TradingEngineOptions { ConnectionString = "Host=db", Cluster = new ClusterSettings { Roles = "feed" } };

        options.Validate();
    }
}
