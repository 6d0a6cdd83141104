using System.Globalization;
using System.Net;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Service.Tests;

/// <summary>Two firms' events and webhooks never meet: pages, streams, webhook lists, removals and deliveries are each the caller's firm's.</summary>
public abstract partial class EventSuite
{
    [Fact]
    public async Task TwoFirms_EachSeesOnlyItsOwnEvents_InPagesAndStreams_AndItsWebhooksReceiveOnlyItsEvents()
    {
        await using var receiver = await HookReceiver.Start();
        var hooks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var firm in new[] { "acme", "beta" })
        {
            var added = await Json(PostJson("/v1/webhooks", Key(firm), $$"""{"url": "{{receiver.Url(firm)}}", "since": 0}"""), HttpStatusCode.Created);
            hooks[firm] = added.GetProperty("id").GetString()!;
        }
        // Interleaved writes of the two firms: ids are store-wide, each firm's have gaps.
        var ids = new Dictionary<string, List<long>>(StringComparer.Ordinal) { ["acme"] = [], ["beta"] = [] };
        for (var i = 0; i < 3; i++)
            foreach (var firm in new[] { "acme", "beta" })
                ids[firm].AddRange(AddEvents(firm, 1));

        foreach (var (firm, other) in new[] { ("acme", "beta"), ("beta", "acme") })
        {
            // Pages.
            var page = await Json(Get("/v1/events?limit=1000", Key(firm, ApiRoles.Viewer)));
            Assert.Equal(ids[firm], page.GetProperty("data").EnumerateArray().Select(e => long.Parse(e.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)));
            // A cursor from the other firm's ids reads this firm's events after it, never the other's.
            var after = await Json(Get($"/v1/events?cursor={ids[other][0]}", Key(firm)));
            Assert.All(after.GetProperty("data").EnumerateArray(), e => Assert.Contains(long.Parse(e.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), ids[firm]));

            // Streams.
            var (response, reader) = await Stream(Key(firm, ApiRoles.Viewer), "?after=0");
            using (response)
            using (reader)
            {
                var got = new List<long>();
                for (var i = 0; i < ids[firm].Count; i++) got.Add((await reader.Next(TimeSpan.FromSeconds(10)))!.Value.Id);
                Assert.Equal(ids[firm], got);
                var more = reader.Next(TimeSpan.FromSeconds(1.5));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => more); // none of the other firm's
            }

            // Webhooks: the list is the firm's; the other firm's id is 404 and stays.
            var list = await Json(Get("/v1/webhooks", Key(firm)));
            Assert.Equal([hooks[firm]], list.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
            await Http.Problem(await Client.SendAsync(Delete($"/v1/webhooks/{hooks[other]}", Key(firm))), 404, "id");
        }

        // Deliveries: each receiver got its firm's events, in order, and none of the other's.
        foreach (var firm in new[] { "acme", "beta" })
        {
            var got = await receiver.WaitFor(firm, ids[firm].Count);
            Assert.Equal(ids[firm], got.Select(r => long.Parse(r.EventId, CultureInfo.InvariantCulture)));
        }
        await Task.Delay(500);
        Assert.Equal(ids["acme"].Count, receiver.Received("acme").Count);
        Assert.Equal(ids["beta"].Count, receiver.Received("beta").Count);
    }
}
