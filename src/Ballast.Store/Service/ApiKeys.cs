using System.Security.Cryptography;
using System.Text;
using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>The roles an API key carries, least to most: what each may do is the service's permission table.</summary>
    public static class ApiRoles
    {
        public const string Viewer = "viewer", Trader = "trader", Approver = "approver", Admin = "admin";

        /// <summary>Every role, least to most.</summary>
        public static IReadOnlyList<string> All { get; } = [Viewer, Trader, Approver, Admin];
    }

    /// <summary>A key as listed: never its secret, only the prefix it starts with.</summary>
    /// <param name="Prefix">The first characters of the key, to tell keys apart in lists (not enough to use it).</param>
    public sealed record ApiKeyInfo(long Id, string Tenant, string Role, string Prefix, DateTimeOffset CreatedAt, string Actor, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

    /// <summary>A key just created: <see cref="Key"/> is shown this once and stored only as its SHA-256 hash.</summary>
    /// <param name="TenantCreated">True when the tenant was new and created with the key.</param>
    public sealed record ApiKeyCreated(ApiKeyInfo Info, string Key, bool TenantCreated);

    /// <summary>Who is calling: the key that authenticated a request, its tenant and role.</summary>
    public sealed record ApiCaller(long KeyId, long TenantId, string Tenant, string Role);

    /// <summary>The first response to a request carrying an <c>Idempotency-Key</c>, kept so a retry gets it again.</summary>
    /// <param name="RequestHash">SHA-256 of the request (method, path, body): a reuse of the key for another request is refused.</param>
    public sealed record IdempotentResponse(string RequestHash, int Status, string ContentType, string Body, DateTimeOffset CreatedAt);

    public sealed partial class BallastStore
    {
        /// <summary>What every key starts with, so a leaked key is recognizable (secret scanners, logs).</summary>
        public const string ApiKeyPrefix = "blst_";

        /// <summary>The longest tenant name.</summary>
        public const int MaxTenantName = 100;

        /// <summary>The longest <c>Idempotency-Key</c> kept.</summary>
        public const int MaxIdempotencyKey = 200;

        /// <summary>How often, at most, a key's last-use time is written: a busy key does not write on every request.</summary>
        public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

        /// <summary>
        /// Creates an API key for <paramref name="tenant"/> (creating the tenant when it is new) with <paramref name="role"/>. The key is
        /// 256 random bits; only its SHA-256 hash is stored, so it is shown once, in the result.
        /// </summary>
        /// <exception cref="InputException">The tenant name is empty, too long or has control characters; the role is not one of <see cref="ApiRoles.All"/>.</exception>
        public ApiKeyCreated CreateApiKey(string tenant, string role) => Write("key-create", scope =>
        {
            var name = tenant.Trim();
            var problems = new List<InputProblem>();
            if (name.Length == 0) problems.Add(new("a tenant name is needed", Field: "--tenant"));
            else if (name.Length > MaxTenantName) problems.Add(new($"a tenant name has at most {MaxTenantName} characters (got {name.Length})", Field: "--tenant"));
            else if (name.Any(char.IsControl)) problems.Add(new("a tenant name has no control characters", Field: "--tenant"));
            var r = role.Trim().ToLowerInvariant();
            if (!ApiRoles.All.Contains(r)) problems.Add(new($"unknown role '{role}'; roles: {string.Join(", ", ApiRoles.All)}", Field: "--role"));
            if (problems.Count > 0) throw new InputException(problems);

            scope.StoreWide = true; // the operator's act on the store's tenants, not a write of one tenant's book
            var tenantId = scope.ScalarLong("SELECT id FROM tenants WHERE name = @name", new { name });
            var created = tenantId is null;
            if (tenantId is null)
            {
                tenantId = scope.NextId("tenants");
                scope.Execute("INSERT INTO tenants (id, name, created_at, actor) VALUES (@id, @name, @at, @actor)", new { id = tenantId.Value, name, at = scope.Now, actor = Options.Actor });
            }
            var key = ApiKeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var id = scope.NextId("api_keys");
            var prefix = key[..(ApiKeyPrefix.Length + 6)];
            scope.Execute("""
                INSERT INTO api_keys (id, tenant_id, key_hash, prefix, role, created_at, actor, revoked_at, last_used_at)
                VALUES (@id, @tenant, @hash, @prefix, @role, @at, @actor, NULL, NULL)
                """, new { id, tenant = tenantId.Value, hash = HashKey(key), prefix, role = r, at = scope.Now, actor = Options.Actor });
            var info = ReadApiKeys(scope.Connection, scope.Transaction, id)[0];
            return (new ApiKeyCreated(info, key, created), $"API key {id} ({prefix}…) created for tenant {name}{(created ? " (new)" : "")} with role {r}");
        });

        /// <summary>Every API key, oldest first, without secrets.</summary>
        public IReadOnlyList<ApiKeyInfo> ApiKeys() => Read(c => ReadApiKeys(c, null, null));

        /// <summary>Revokes key <paramref name="id"/>: requests with it are refused from now on.</summary>
        /// <exception cref="InputException">No key has that id, or it is already revoked.</exception>
        public ApiKeyInfo RevokeApiKey(long id) => Write("key-revoke", scope =>
        {
            scope.StoreWide = true;
            var found = ReadApiKeys(scope.Connection, scope.Transaction, id);
            if (found.Count == 0) throw new InputException(new InputProblem($"no API key {id}; 'ballast keys list' shows them", Field: "id"));
            if (found[0].RevokedAt is { } at) throw new InputException(new InputProblem($"API key {id} was already revoked at {FormatInstant(at)}", Field: "id"));
            scope.Execute("UPDATE api_keys SET revoked_at = @at WHERE id = @id", new { at = scope.Now, id });
            return (ReadApiKeys(scope.Connection, scope.Transaction, id)[0], $"API key {id} ({found[0].Prefix}…) of tenant {found[0].Tenant} revoked");
        });

        /// <summary>
        /// The caller that <paramref name="key"/> authenticates, or null for an unknown or revoked key. Records the key's last use
        /// (at most every <see cref="LastUseResolution"/>; bookkeeping, not an audited change).
        /// </summary>
        public ApiCaller? Authenticate(string key)
        {
            if (!key.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) || key.Length > 100) return null;
            var hash = HashKey(key);
            return Read(c =>
            {
                var found = c.Query("""
                    SELECT k.id, k.tenant_id, t.name, k.role, k.last_used_at FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                    WHERE k.key_hash = @hash AND k.revoked_at IS NULL
                    """, new { hash }, r => (Caller: new ApiCaller(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3)), LastUsed: r.TextOrNull(4)));
                if (found.Count == 0) return null;
                var now = Options.Time.GetUtcNow();
                if (found[0].LastUsed is not { } last || ParseInstant(last) <= now - LastUseResolution)
                    c.Execute("UPDATE api_keys SET last_used_at = @at WHERE id = @id", new { at = FormatInstant(now), id = found[0].Caller.KeyId });
                return found[0].Caller;
            });
        }

        /// <summary>The response kept for <paramref name="key"/> in the tenant, or null when none is.</summary>
        public IdempotentResponse? FindIdempotentResponse(long tenantId, string key) => Read(c => ReadIdempotent(c, tenantId, key));

        /// <summary>
        /// Keeps <paramref name="response"/> as the first response to <paramref name="key"/> in the tenant and returns it; when another
        /// request with the same key got there first, returns that one instead (the caller compares <see cref="IdempotentResponse.RequestHash"/>).
        /// Bookkeeping, not an audited change: one statement, whole or not at all.
        /// </summary>
        public IdempotentResponse KeepIdempotentResponse(long tenantId, string key, IdempotentResponse response) => Read(c =>
        {
            c.Execute("""
                INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, content_type, body, created_at)
                VALUES (@tenantId, @key, @hash, @status, @type, @body, @at)
                ON CONFLICT (tenant_id, key) DO NOTHING
                """, new { tenantId, key, hash = response.RequestHash, status = (long)response.Status, type = response.ContentType, body = response.Body, at = FormatInstant(response.CreatedAt) });
            return ReadIdempotent(c, tenantId, key)!;
        });

        /// <summary>The lowercase hex SHA-256 of a key or request: what the store keeps instead of the secret.</summary>
        public static string HashKey(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

        private static IdempotentResponse? ReadIdempotent(System.Data.Common.DbConnection c, long tenantId, string key) =>
            c.Query("SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys WHERE tenant_id = @tenantId AND key = @key",
                new { tenantId, key }, r => new IdempotentResponse(r.GetString(0), (int)r.GetInt64(1), r.GetString(2), r.GetString(3), ParseInstant(r.GetString(4))))
              .FirstOrDefault();

        private static List<ApiKeyInfo> ReadApiKeys(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long? id) =>
            c.Query($"""
                SELECT k.id, t.name, k.role, k.prefix, k.created_at, k.actor, k.revoked_at, k.last_used_at FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                {(id is null ? "" : "WHERE k.id = @id")} ORDER BY k.id
                """, new { id = id ?? 0 }, r => new ApiKeyInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseInstant(r.GetString(4)), r.GetString(5),
                    r.TextOrNull(6) is { } rev ? ParseInstant(rev) : null, r.TextOrNull(7) is { } used ? ParseInstant(used) : null), tx);
    }
}
