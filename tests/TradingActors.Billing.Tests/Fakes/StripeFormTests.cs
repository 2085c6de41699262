using TradingActors.Billing.Fakes;

namespace TradingActors.Billing.Tests.Fakes;

public sealed class StripeFormTests
{
    [Fact]
    public void Nested_brackets_make_a_tree()
    {
        var form = StripeForm.Parse(
            "mode=subscription&line_items[0][price]=price_a&line_items[0][quantity]=1&line_items[1][price]=price_b"
            + "&subscription_data[metadata][user_id]=u%2B1&subscription_data[metadata][plan_id]=pro&expand[]=customer&expand[]=invoice"
            + "&success_url=http%3A%2F%2F127.0.0.1%2Fok%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D&name=Jane+Doe");

        Assert.Equal("subscription", form["mode"]);
        Assert.Equal("price_a", form["line_items[0][price]"]);
        Assert.Equal(["price_a", "price_b"], form.Node("line_items")!.Items.Select(i => i["price"]!.Value));
        Assert.Equal("1", form.Node("line_items")!.Items[0]["quantity"]!.Value);
        Assert.Equal(new Dictionary<string, string> { ["user_id"] = "u+1", ["plan_id"] = "pro" },
            form.Node("subscription_data")!["metadata"]!.ToStringMap());
        Assert.Equal("u+1", form["subscription_data[metadata][user_id]"]);
        Assert.Equal(["customer", "invoice"], form.Node("expand")!.Items.Select(i => i.Value));
        Assert.Equal("http://127.0.0.1/ok?session_id={CHECKOUT_SESSION_ID}", form["success_url"]);
        Assert.Equal("Jane Doe", form["name"]);
        Assert.Null(form["missing"]);
        Assert.Null(form["line_items[5][price]"]);
        Assert.Null(form["line_items"]);
        Assert.Equal(10, form.Pairs.Count);
    }

    [Fact]
    public void Items_come_in_index_order_whatever_the_order_sent()
    {
        var form = StripeForm.Parse("items[10][price]=c&items[2][price]=b&items[0][price]=a");

        Assert.Equal(["a", "b", "c"], form.Node("items")!.Items.Select(i => i["price"]!.Value));
    }

    [Fact]
    public void A_repeated_key_keeps_its_last_value_and_an_empty_one_is_empty()
    {
        var form = StripeForm.Parse("a=1&a=2&b=&c");

        Assert.Equal("2", form["a"]);
        Assert.Equal("", form["b"]);
        Assert.Equal("", form["c"]);
    }

    [Fact]
    public void The_canonical_text_ignores_order()
    {
        Assert.Equal(StripeForm.Parse("b=2&a[x]=1").Canonical(), StripeForm.Parse("a%5Bx%5D=1&b=2").Canonical());
        Assert.NotEqual(StripeForm.Parse("a=1").Canonical(), StripeForm.Parse("a=2").Canonical());
        Assert.Equal("", StripeForm.Parse(null).Canonical());
        Assert.Empty(StripeForm.Parse("").Pairs);
        Assert.Equal("1", StripeForm.Parse("?q=1")["q"]);
    }

    [Theory]
    [InlineData("a[b=1")]
    [InlineData("a]=1")]
    [InlineData("[a]=1")]
    [InlineData("a[b]c=1")]
    [InlineData("a[[b]]=1")]
    [InlineData("a=1&a[b]=2")]
    [InlineData("a[b]=2&a=1")]
    public void Malformed_names_are_refused(string encoded) =>
        Assert.Throws<FormatException>(() => StripeForm.Parse(encoded));
}
