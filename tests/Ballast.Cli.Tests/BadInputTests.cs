namespace Ballast.Cli.Tests;

/// <summary>Every kind of bad input: one clear message naming file, line and field where known, exit code 2, nothing on stdout.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliRunner _cli = new();

    private const string Valid = """
        asOf: 2025-06-30
        cash: 0
        holdings:
          - { ticker: VTI, quantity: 10, price: 300 }
          - { ticker: BND, value: 2000 }
        targets: { VTI: 60%, BND: 40% }
        """;

    public void Dispose() => _cli.Dispose();

    private string Fails(string fileName, string content, params string[] extra)
    {
        _cli.Write(fileName, content);
        foreach (var command in new[] { "check", "plan" })
        {
            var (exit, stdout, stderr) = _cli.Run([command, fileName, .. extra]);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.StartsWith("ballast: ", stderr, StringComparison.Ordinal);
        }
        return _cli.Run(["check", fileName, .. extra]).Err;
    }

    [Fact]
    public void AFileWrongInEveryRow_ShowsTheFirstHundredProblems_AndHowManyMore()
    {
        _cli.Db = Path.Combine(_cli.Directory, "ballast.db");
        Assert.Equal(0, _cli.Run("init").Exit);
        // 250 accounts on a model that was never made: every row is refused, and the file names each.
        var rows = string.Concat(Enumerable.Range(0, 250).Select(i => $"a{i},taxable,USD,nosuch\n"));
        _cli.Write("accounts.csv", "account,type,currency,model\n" + rows);
        var (exit, stdout, stderr) = _cli.Run("import", "accounts", "accounts.csv");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(CliApp.ShownProblems + 1, lines.Length);
        Assert.StartsWith("ballast: error: accounts.csv:2: model: model 'nosuch' does not exist", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("ballast: error: accounts.csv:101: ", lines[CliApp.ShownProblems - 1], StringComparison.Ordinal);
        Assert.Equal("ballast: error: ... and 150 more problems (250 in all)", lines[^1].TrimEnd('\r'));
        Assert.Contains("0 accounts", _cli.Run("accounts", "list").Out, StringComparison.Ordinal); // nothing written
    }

    [Fact]
    public void UnparsableYaml_NamesFileLineAndColumn()
    {
        var err = Fails("bad.yaml", "asOf: 2025-06-30\nholdings:\n  - ticker: VTI\n   value: 10\ntargets: { VTI: 100% }\n");
        Assert.Matches(@"bad\.yaml:4:\d+: not valid YAML", err);
    }

    [Fact]
    public void UnclosedFlowMapping_IsBadInputNamingTheFile()
    {
        var err = Fails("open.yaml", "asOf: 2025-06-30\nholdings:\n  - { ticker: VTI, value: 10\ntargets: { VTI: 100% }\n");
        Assert.Contains("open.yaml: not valid YAML: a '{' or '[' is never closed", err);
    }

    [Fact]
    public void UnparsableJson_NamesFileLineAndColumn()
    {
        var err = Fails("bad.json", "{\n  \"asOf\": \"2025-06-30\",\n  \"cash\": 0,,\n  \"targets\": {}\n}\n");
        Assert.Contains("bad.json:3:", err);
        Assert.Contains("not valid JSON", err);
    }

    [Fact]
    public void TargetsNotSummingTo100_AreRejected_AndNormalizeRescalesThem()
    {
        var content = Valid.Replace("VTI: 60%, BND: 40%", "VTI: 60%, BND: 30%");
        var err = Fails("sum.yaml", content);
        Assert.Contains("targets: weights sum to 90%, not 100%", err);

        var (exit, stdout, _) = _cli.Run("check", "sum.yaml", "--normalize", "--json");
        Assert.Equal(1, exit);
        Assert.Contains("\"target\": 0.6666666667", stdout);
    }

    [Theory]
    [InlineData("price: 300", "price: -5", "holdings[0].price", "price must be greater than zero (got -5)")]
    [InlineData("price: 300", "price: 0", "holdings[0].price", "price must be greater than zero (got 0)")]
    [InlineData("quantity: 10, price: 300", "quantity: 10", "holdings[0].price", "missing: VTI is given as a quantity, so it needs a price")]
    [InlineData("quantity: 10", "quantity: -10", "holdings[0].quantity", "must not be negative (got -10)")]
    [InlineData("cash: 0", "cash: -100", "cash", "must not be negative (got -100)")]
    public void BadAmounts_NameLineAndField(string from, string to, string field, string message)
    {
        var err = Fails("amounts.yaml", Valid.Replace(from, to, StringComparison.Ordinal));
        Assert.Contains($": {field}: {message}", err);
        Assert.Matches(@"amounts\.yaml:\d+:\d+: ", err);
    }

    [Fact]
    public void DuplicateHoldingTicker_IsRejected()
    {
        var err = Fails("dup.yaml", Valid.Replace("{ ticker: BND, value: 2000 }", "{ ticker: vti, value: 2000 }"));
        Assert.Contains("dup.yaml:5:", err);
        Assert.Contains("holdings[1].ticker: VTI is listed twice (also holdings[0])", err);
    }

    [Fact]
    public void DuplicateTargetTicker_IsRejected()
    {
        var err = Fails("duptarget.yaml", Valid.Replace("VTI: 60%, BND: 40%", "VTI: 60%, vti: 40%"));
        Assert.Contains("targets.VTI: VTI is listed twice", err);
    }

    [Theory]
    [InlineData("look: fortnight-ish", "policy.look: unknown look 'fortnight-ish'")]
    [InlineData("trigger: sometimes", "policy.trigger: unknown trigger 'sometimes'")]
    [InlineData("rebalanceTo: halfway", "policy.rebalanceTo: unknown rebalance-to rule 'halfway'")]
    [InlineData("colour: blue", "policy.colour: unknown field")]
    public void UnknownPolicyWords_AreRejected(string policyLine, string expected)
    {
        var err = Fails("policy.yaml", Valid + "\npolicy:\n  " + policyLine + "\n");
        Assert.Contains(expected, err);
        Assert.Matches(@"policy\.yaml:8:\d+: ", err);
    }

    [Fact]
    public void InnerRailOutsideBand_IsRejected()
    {
        // A 40% target with a 20% relative band has ±8pp; a 25% rail is ±10pp, outside it.
        var err = Fails("rail.yaml", Valid + "\npolicy: { trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 25% }\n");
        Assert.Contains("policy.rail: the inner rail (25% of target", err);
        Assert.Contains("is not inside the band", err);
    }

    [Fact]
    public void InnerRailOutsideBand_FromFlags_IsRejected()
    {
        var err = Fails("ok.yaml", Valid, "--to", "inner-rail", "--relative", "10%", "--rail", "20%");
        Assert.Contains("policy.rail", err);
    }

    [Theory]
    [InlineData("quantity: 10, price: 300", "quantity: 100000000000000, price: 1000000000000", "holdings[0].quantity", "is too large")]
    [InlineData("value: 2000", "value: 1e30", "holdings[1].value", "is too large")]
    [InlineData("value: 2000", "value: 99999999999999999999999999999999", "holdings[1].value", "is too large")]
    public void AmountsThatWouldOverflow_AreRejected(string from, string to, string field, string message)
    {
        var err = Fails("huge.yaml", Valid.Replace(from, to, StringComparison.Ordinal));
        Assert.Contains(field, err);
        Assert.Contains(message, err);
    }

    [Fact]
    public void MissingFile_IsBadInput()
    {
        var (exit, stdout, stderr) = _cli.Run("check", "nowhere.yaml");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("nowhere.yaml: no such file", stderr);
    }

    [Theory]
    [InlineData("--absolute", "lots", "--absolute: 'lots' is not a percentage")]
    [InlineData("--min-trade", "ten", "--min-trade: 'ten' is not a number")]
    [InlineData("--trigger", "maybe", "--trigger: unknown trigger 'maybe'")]
    [InlineData("--look", "hourly", "--look: unknown look 'hourly'")]
    [InlineData("--as-of", "30/06/2025", "--as-of: '30/06/2025' is not a date")]
    public void BadFlagValues_AreBadInput(string flag, string value, string expected)
    {
        var err = Fails("ok.yaml", Valid.Replace("asOf: 2025-06-30\n", "", StringComparison.Ordinal), flag, value);
        Assert.Contains(expected, err);
    }

    [Theory]
    [InlineData(new[] { "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "--deposit", "100", "--withdraw", "50" }, "--deposit and --withdraw cannot be used together")]
    [InlineData(new[] { "--deposit", "100", "--method", "random" }, "--method: unknown method 'random'")]
    [InlineData(new[] { "--withdraw", "999999" }, "withdraw: a withdrawal of 999999 is more than the portfolio holds (5000)")]
    public void BadPlanFlags_AreBadInput(string[] flags, string expected)
    {
        _cli.Write("ok.yaml", Valid);

        var (exit, stdout, stderr) = _cli.Run(["plan", "ok.yaml", .. flags]);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr);
    }

    [Theory]
    [InlineData("--tax-aware")]
    [InlineData("--no-short-term-gains")]
    [InlineData("--max-realized-gain", "1000")]
    public void TaxFlags_OnStoredAccounts_NeedAStore(params string[] flags)
    {
        // Stored accounts are planned with their lots now; without a store there is nothing to plan, said in one line.
        var (exit, stdout, stderr) = _cli.Run(["plan", "--account", "alice-taxable", "--db", "missing/ballast.db", .. flags]);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.DoesNotContain("need lots and plan from a portfolio file", stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var content = Valid.Replace("cash: 0", "cash: -1").Replace("price: 300", "price: 0");
        var err = Fails("many.yaml", content);
        Assert.Contains("cash: must not be negative", err);
        Assert.Contains("holdings[0].price", err);
    }
}

/// <summary>Bad tax input: exit 2, nothing on stdout, file, line and field on stderr, for every command that reads the file.</summary>
public sealed class BadTaxInputTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Fails(string content)
    {
        _cli.Write("bad.yaml", content);
        string? first = null;
        foreach (var command in new[] { "check", "plan", "lots", "tax", "harvest" })
        {
            var (exit, stdout, stderr) = _cli.Run(command, "bad.yaml");
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.StartsWith("ballast: error: bad.yaml:", stderr, StringComparison.Ordinal);
            first ??= stderr;
        }
        return first!;
    }

    [Fact]
    public void LotsThatDoNotSumToTheHolding()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - ticker: VTI
                quantity: 100
                price: 300
                lots:
                  - { acquired: 2024-01-02, quantity: 60, costBasis: 12000 }
                  - { acquired: 2024-02-02, quantity: 30, costBasis: 6000 }
            targets: { VTI: 100% }
            """);
        Assert.Matches(@"bad\.yaml:7:\d+: holdings\[0\]\.lots: the lots of VTI add up to 90 shares but the holding has 100", err);
    }

    [Fact]
    public void LotsThatDoNotSumAfterTheTransactions()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - ticker: VTI
                quantity: 100
                price: 300
                lots:
                  - { acquired: 2024-01-02, quantity: 100, costBasis: 20000 }
            targets: { VTI: 100% }
            transactions:
              - { date: 2025-01-02, type: sell, ticker: VTI, quantity: 10, price: 290 }
            """);
        Assert.Contains("holdings[0].lots: the lots of VTI add up to 90 shares after the transactions but the holding has 100", err);
    }

    [Fact]
    public void AcquisitionDateInTheFuture()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - ticker: VTI
                quantity: 100
                price: 300
                lots:
                  - { acquired: 2025-07-02, quantity: 100, costBasis: 20000 }
            targets: { VTI: 100% }
            """);
        Assert.Matches(@"bad\.yaml:7:\d+: holdings\[0\]\.lots\[0\]\.acquired: the lot was acquired on 2025-07-02, after the portfolio's date 2025-06-30", err);
    }

    [Fact]
    public void UnknownLotSelectionWord()
    {
        var err = Fails("""
            asOf: 2025-06-30
            accounts:
              - name: joint
                type: taxable
                lotSelection: cheapest
                holdings:
                  - { ticker: VTI, quantity: 1, price: 300 }
            targets: { VTI: 100% }
            """);
        Assert.Matches(@"bad\.yaml:5:\d+: accounts\[0\]\.lotSelection: 'cheapest' is not a lot selection method; use one of fifo, lifo, hifo, tax-min, specific", err);
    }

    [Fact]
    public void TaxRateWrittenAsAWholeNumber_GetsTheHint()
    {
        var err = Fails("""
            asOf: 2025-06-30
            taxRegime: { kind: us, shortTermRate: 37 }
            holdings:
              - { ticker: VTI, quantity: 1, price: 300 }
            targets: { VTI: 100% }
            """);
        Assert.Matches(@"bad\.yaml:2:\d+: taxRegime\.shortTermRate: 37 is not a fraction; write 37% or 0\.37", err);
    }

    [Fact]
    public void SubstituteThatPointsAtItself()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - { ticker: VTI, quantity: 1, price: 300 }
            targets: { VTI: 100% }
            substitutes:
              VTI: vti
            """);
        Assert.Matches(@"bad\.yaml:6:\d+: substitutes\.VTI: VTI cannot be its own substitute", err);
    }

    [Fact]
    public void TransactionAfterTheAsOfDateAndUnknownType()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - { ticker: VTI, quantity: 1, price: 300 }
            targets: { VTI: 100% }
            transactions:
              - { date: 2025-07-01, type: gift, ticker: VTI, quantity: 1, price: 300 }
            """);
        Assert.Contains("transactions[0].type: unknown transaction type 'gift'", err);
        Assert.Contains("transactions[0].date: is after the as-of date 2025-06-30", err);
    }

    [Fact]
    public void HouseholdWithTopLevelHoldings()
    {
        var err = Fails("""
            asOf: 2025-06-30
            holdings:
              - { ticker: VTI, quantity: 1, price: 300 }
            accounts:
              - { name: ira, type: tax-deferred, holdings: [{ ticker: VTI, quantity: 1, price: 300 }] }
            targets: { VTI: 100% }
            """);
        Assert.Contains("holdings: a file with accounts lists holdings under each account", err);
    }
}
