using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>CredentialKeyOptions: a key file or configuration keys, exactly one, checked at start.</summary>
public sealed class CredentialKeyOptionsTests
{
    [Fact]
    public void Configuration_keys_load_with_the_named_active_key()
    {
        var options = new CredentialKeyOptions { MasterKeys = new() { ["2025-01"] = Base64(Old), ["2025-07"] = Base64(New) }, ActiveMasterKey = "2025-01" };

        var ring = options.LoadKeyRing();

        Assert.Equal("2025-01", ring.Active.Id);
        Assert.Equal(New.Material, ring.Find("2025-07").Material);
    }

    [Fact]
    public void A_key_file_loads_with_its_marked_key()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"2025-01:{Base64(Old)}\n*2025-07:{Base64(New)}\n");

            var ring = new CredentialKeyOptions { KeyFile = path }.LoadKeyRing();

            Assert.Equal("2025-07", ring.Active.Id);
            Assert.Equal(Old.Material, ring.Find("2025-01").Material);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "nothing", "Trading:Credentials: no master keys: set KeyFile or MasterKeys" },
        { "blank key file", "Trading:Credentials: no master keys: set KeyFile or MasterKeys" },
        { "file and keys", "Trading:Credentials: KeyFile and MasterKeys are both set; use one" },
        { "file and active id", "Trading:Credentials: ActiveMasterKey is for MasterKeys; a key file marks its active key with '*'" },
        { "keys without an active id", "Trading:Credentials: no active master key is named" },
        { "a short key", "Trading:Credentials: master key '2025-01' is 16 bytes; an AES-256 master key is 32" },
    };

    private static CredentialKeyOptions Options(string name) => name switch
    {
        "nothing" => new(),
        "blank key file" => new() { KeyFile = " " },
        "file and keys" => new() { KeyFile = "/etc/keys", MasterKeys = new() { ["2025-01"] = Base64(Old) } },
        "file and active id" => new() { KeyFile = "/etc/keys", ActiveMasterKey = "2025-01" },
        "keys without an active id" => new() { MasterKeys = new() { ["2025-01"] = Base64(Old) } },
        "a short key" => new() { MasterKeys = new() { ["2025-01"] = Convert.ToBase64String(Bytes(1, 16)) }, ActiveMasterKey = "2025-01" },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Invalid_options_say_what_is_wrong(string name, string message)
    {
        var ex = Assert.Throws<KeyRingException>(() => Options(name).LoadKeyRing());

        Assert.Equal(message, ex.Message);
        AssertQuotesNone(ex.Message, [Base64(Old)]);
    }

    [Fact]
    public void A_blank_active_id_with_a_key_file_is_not_an_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"*2025-07:{Base64(New)}\n");

            Assert.Equal("2025-07", new CredentialKeyOptions { KeyFile = path, ActiveMasterKey = " " }.LoadKeyRing().Active.Id);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
