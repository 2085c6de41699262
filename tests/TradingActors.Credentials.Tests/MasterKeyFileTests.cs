using static TradingActors.Credentials.Tests.TestKeys;

namespace TradingActors.Credentials.Tests;

/// <summary>MasterKeyFile: the key file format, its errors (each names a line, none quotes a key), lines for new keys, rotation.</summary>
public sealed class MasterKeyFileTests
{
    private static readonly string OldBase64 = Base64(Old);
    private static readonly string NewBase64 = Base64(New);
    private static readonly string ShortBase64 = Convert.ToBase64String(Bytes(5, 16));
    private static readonly string PastedKey = Convert.ToBase64String(Bytes(9)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly Dictionary<string, (string Text, string Message)> Errors = new()
    {
        ["an empty file"] = ("", "key file: no master keys"),
        ["only comments and blank lines"] = ("# keys\n\n   \n# none yet\n", "key file: no master keys"),
        ["no line marked active"] = ($"2025-01:{OldBase64}\n2025-07:{NewBase64}\n", "key file: no active master key; mark one line with '*'"),
        ["two lines marked active"] = ($"*2025-01:{OldBase64}\n# c\n*2025-07:{NewBase64}\n", "key file line 3: a second active key: line 1 is marked '*' already"),
        ["an id twice"] = ($"*2025-01:{OldBase64}\n2025-01:{NewBase64}\n", "key file line 2: master key id '2025-01' is already on line 1"),
        ["a key without its id"] = ($"# keys\n*{OldBase64}\n", "key file line 2: a key line is 'id:base64', with '*' before the active key's id"),
        ["a pasted key alone"] = ($"{PastedKey}\n", "key file line 1: a key line is 'id:base64', with '*' before the active key's id"),
        ["an empty id"] = ($"*:{OldBase64}\n", "key file line 1: a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["a marked line with nothing else"] = ("*\n", "key file line 1: a key line is 'id:base64', with '*' before the active key's id"),
        ["an id with a space"] = ($"*key one:{OldBase64}\n", "key file line 1: a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["a key pasted as the id"] = ($"*{PastedKey}:{OldBase64}\n", "key file line 1: a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["a key pasted as the id, then a key that is not base64"] = ($"*{PastedKey}:not*base64\n", "key file line 1: a master key id is 1 to 32 letters, digits, '-' or '_'"),
        ["a short key"] = ($"2025-01:{OldBase64}\n*2025-07:{ShortBase64}\n", "key file line 2: master key '2025-07' is 16 bytes; an AES-256 master key is 32"),
        ["an empty key"] = ("*2025-07:\n", "key file line 1: master key '2025-07' is 0 bytes; an AES-256 master key is 32"),
        ["a key that is not base64"] = ($"*2025-07:{OldBase64[..20]}!!{OldBase64[20..]}\n", "key file line 1: master key '2025-07' is not valid base64"),
        ["a second separator"] = ($"*2025-07:{OldBase64}:{NewBase64}\n", "key file line 1: master key '2025-07' is not valid base64"),
    };

    public static TheoryData<string> ErrorCases => new(Errors.Keys);

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Key_file_errors_name_the_line_and_quote_no_key(string name)
    {
        var (text, message) = Errors[name];

        var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.Parse(text));

        Assert.Equal(message, ex.Message);
        AssertQuotesNone(ex.Message, [OldBase64, NewBase64, ShortBase64, PastedKey, OldBase64[..20]]);
    }

    [Fact]
    public void Comments_blank_lines_spaces_and_crlf_are_ignored()
    {
        var text = $"# TradingActors master keys\r\n\r\n  2025-01 : {OldBase64}  \r\n\t# the active one:\r\n  * 2025-07:{NewBase64}\r\n";

        var ring = MasterKeyFile.Parse(text);

        Assert.Equal("2025-07", ring.Active.Id);
        Assert.Equal(New.Material, ring.Active.Material);
        Assert.Equal(Old.Material, ring.Find("2025-01").Material);
        Assert.Equal(["2025-01", "2025-07"], ring.Ids);
    }

    [Fact]
    public void The_active_line_may_come_first_and_the_last_line_needs_no_newline()
    {
        var ring = MasterKeyFile.Parse($"*2025-01:{OldBase64}\n2025-07:{NewBase64}");

        Assert.Equal("2025-01", ring.Active.Id);
        Assert.True(ring.Contains("2025-07"));
    }

    [Fact]
    public void Errors_name_their_source()
    {
        var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.Parse("*x\n", "key file '/etc/keys'"));

        Assert.StartsWith("key file '/etc/keys' line 1: ", ex.Message);
    }

    [Fact]
    public void A_line_for_a_key_parses_back_to_that_key()
    {
        Assert.Equal($"2025-01:{OldBase64}", MasterKeyFile.Line(Old, active: false));
        Assert.Equal($"*2025-07:{NewBase64}", MasterKeyFile.Line(New, active: true));

        var generated = MasterKey.Generate("2026-01");
        var ring = MasterKeyFile.Parse(MasterKeyFile.Line(Old, false) + "\n" + MasterKeyFile.Line(generated, true) + "\n");

        Assert.Equal(generated.Material, ring.Active.Material);
    }

    [Fact]
    public void Rotating_the_file_unmarks_the_old_key_and_appends_the_new_one_active()
    {
        var text = $"# keys\n  *2025-01:{OldBase64}\n# keep\n";

        var rotated = MasterKeyFile.WithNewActiveKey(text, New);

        Assert.Equal($"# keys\n  2025-01:{OldBase64}\n# keep\n*2025-07:{NewBase64}\n", rotated);
        var ring = MasterKeyFile.Parse(rotated);
        Assert.Equal("2025-07", ring.Active.Id);
        Assert.Equal(Old.Material, ring.Find("2025-01").Material);
    }

    [Fact]
    public void Rotating_a_file_without_a_final_newline_keeps_every_line()
    {
        var rotated = MasterKeyFile.WithNewActiveKey($"*2025-01:{OldBase64}", New);

        Assert.Equal($"2025-01:{OldBase64}\n*2025-07:{NewBase64}\n", rotated);
    }

    [Fact]
    public void Rotating_to_an_id_already_in_the_file_is_refused()
    {
        var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.WithNewActiveKey($"*2025-01:{OldBase64}\n", new MasterKey("2025-01", Bytes(60))));

        Assert.Equal("key file: master key id '2025-01' is already in the file", ex.Message);
    }

    [Fact]
    public void Rotating_a_file_that_does_not_parse_is_refused() =>
        Assert.Equal("key file: no master keys", Assert.Throws<KeyRingException>(() => MasterKeyFile.WithNewActiveKey("# empty\n", New)).Message);

    [Fact]
    public void A_key_file_loads_from_disk()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"2025-01:{OldBase64}\n*2025-07:{NewBase64}\n");

            var ring = MasterKeyFile.Load(path);

            Assert.Equal("2025-07", ring.Active.Id);
            Assert.Equal(Old.Material, ring.Find("2025-01").Material);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Errors_of_a_loaded_file_name_its_path()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"2025-01:{OldBase64}\n");

            var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.Load(path));

            Assert.Equal($"key file '{path}': no active master key; mark one line with '*'", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_key_file_is_a_key_ring_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-keys-{Guid.NewGuid():N}");

        var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.Load(path));

        Assert.Equal($"key file '{path}' cannot be read: FileNotFoundException", ex.Message);
    }

    [Fact]
    public void A_directory_as_key_file_is_a_key_ring_error()
    {
        var ex = Assert.Throws<KeyRingException>(() => MasterKeyFile.Load(Path.GetTempPath()));

        Assert.StartsWith($"key file '{Path.GetTempPath()}' cannot be read: ", ex.Message);
    }
}
