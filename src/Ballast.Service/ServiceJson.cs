using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballast.Service;

/// <summary><c>GET /health</c>: the process answers.</summary>
public sealed record HealthAnswer(string Status);

/// <summary><c>GET /ready</c>: the store opens and its schema is the one this build needs.</summary>
public sealed record ReadyAnswer(string Status, int SchemaVersion, string Database);

/// <summary>The service's JSON types, source-generated (no reflection: the Native AOT <c>ballast</c> hosts the service).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(ReadyAnswer))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class ServiceJson : JsonSerializerContext;
