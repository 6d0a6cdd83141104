using Microsoft.AspNetCore.Http;

namespace Ballast.Service;

public static partial class BallastService
{
    /// <summary>A POST of a JSON body answered by <paramref name="answer"/>, with the service's body checks and <c>Idempotency-Key</c> (as check and plan).</summary>
    internal static Task<IResult> PostJson(HttpContext context, Func<HttpContext, byte[], DateOnly, Answer> answer) => Post(context, answer);
}
