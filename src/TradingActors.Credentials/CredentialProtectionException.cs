namespace TradingActors.Credentials;

/// <summary>
/// Every failure of this library. Messages name ids (master key, tenant, account) and sizes,
/// never key material or plaintext, so they can be logged and shown as they are.
/// </summary>
public abstract class CredentialProtectionException(string message) : Exception(message);

/// <summary>Master keys that cannot be loaded: configuration or key file mistakes, found at start.</summary>
public sealed class KeyRingException(string message) : CredentialProtectionException(message);

/// <summary>A wrapped data key names a master key the ring does not hold (removed too early, or another deployment's key file).</summary>
public sealed class UnknownMasterKeyException(string masterKeyId, string message) : CredentialProtectionException(message)
{
    public string MasterKeyId { get; } = masterKeyId;
}

/// <summary>
/// Authentication failed: the ciphertext, nonce or tag was altered, it belongs to another tenant or
/// account, or another key sealed it. AES-GCM cannot tell these apart, so neither can we.
/// </summary>
public sealed class CredentialIntegrityException(string message) : CredentialProtectionException(message);

/// <summary>Text that is not one of our encodings (wrong version, wrong shape, bad base64url, wrong length).</summary>
public sealed class CredentialFormatException(string message) : CredentialProtectionException(message);
