namespace Ballast.Store.Schema;

/// <summary>
/// The tables of the Orleans ADO.NET providers that a Ballast cluster uses (membership, for silos to find each other, and
/// reminders, for windows that fire once for the cluster), in the store's PostgreSQL database. The statements are the
/// official PostgreSQL scripts of Orleans 10 (<c>src/AdoNet/Shared/PostgreSQL-Main.sql</c>,
/// <c>Orleans.Clustering.AdoNet/PostgreSQL-Clustering.sql</c>, <c>Orleans.Reminders.AdoNet/PostgreSQL-Reminders.sql</c>) with
/// their comments left out: Orleans reads its queries from <c>OrleansQuery</c> and its rows by column name, so the names,
/// types and query texts are kept exactly. SQLite gets none of this: a cluster needs PostgreSQL.
/// </summary>
internal static class OrleansTables
{
    /// <summary>The tables Orleans owns (PostgreSQL folds the unquoted names to lower case); exports and dumps leave them out.</summary>
    public static readonly string[] Names = ["orleansquery", "orleansmembershipversiontable", "orleansmembershiptable", "orleansreminderstable"];

    /// <summary>True for a table of <see cref="Names"/>.</summary>
    public static bool IsOrleans(string table) => table.StartsWith("orleans", StringComparison.OrdinalIgnoreCase);

    /// <summary>Migration 15: creates the tables, functions and queries on PostgreSQL; nothing on SQLite.</summary>
    public static void Apply(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, StoreProvider provider)
    {
        if (provider != StoreProvider.Postgres) return;
        foreach (var statement in Script.Split(";;", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            Data.Sql.Execute(c, statement, tx);
    }

    /// <summary>The statements, separated by <c>;;</c>.</summary>
    private const string Script = """
        CREATE TABLE OrleansQuery
        (
            QueryKey varchar(64) NOT NULL,
            QueryText varchar(8000) NOT NULL,

            CONSTRAINT OrleansQuery_Key PRIMARY KEY(QueryKey)
        )
        ;;
        CREATE TABLE OrleansMembershipVersionTable
        (
            DeploymentId varchar(150) NOT NULL,
            Timestamp timestamptz(3) NOT NULL DEFAULT now(),
            Version integer NOT NULL DEFAULT 0,

            CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY(DeploymentId)
        )
        ;;
        CREATE TABLE OrleansMembershipTable
        (
            DeploymentId varchar(150) NOT NULL,
            Address varchar(45) NOT NULL,
            Port integer NOT NULL,
            Generation integer NOT NULL,
            SiloName varchar(150) NOT NULL,
            HostName varchar(150) NOT NULL,
            Status integer NOT NULL,
            ProxyPort integer NULL,
            SuspectTimes varchar(8000) NULL,
            StartTime timestamptz(3) NOT NULL,
            IAmAliveTime timestamptz(3) NOT NULL,

            CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY(DeploymentId, Address, Port, Generation),
            CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
        )
        ;;
        CREATE FUNCTION update_i_am_alive_time(
            deployment_id OrleansMembershipTable.DeploymentId%TYPE,
            address_arg OrleansMembershipTable.Address%TYPE,
            port_arg OrleansMembershipTable.Port%TYPE,
            generation_arg OrleansMembershipTable.Generation%TYPE,
            i_am_alive_time OrleansMembershipTable.IAmAliveTime%TYPE)
          RETURNS void AS
        $func$
        BEGIN
            -- This is expected to never fail by Orleans, so return value
            -- is not needed nor is it checked.
            UPDATE OrleansMembershipTable as d
            SET
                IAmAliveTime = i_am_alive_time
            WHERE
                d.DeploymentId = deployment_id AND deployment_id IS NOT NULL
                AND d.Address = address_arg AND address_arg IS NOT NULL
                AND d.Port = port_arg AND port_arg IS NOT NULL
                AND d.Generation = generation_arg AND generation_arg IS NOT NULL;
        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'UpdateIAmAlivetimeKey','
            -- This is expected to never fail by Orleans, so return value
            -- is not needed nor is it checked.
            SELECT * from update_i_am_alive_time(
                @DeploymentId,
                @Address,
                @Port,
                @Generation,
                @IAmAliveTime
            );
        ')
        ;;
        CREATE FUNCTION insert_membership_version(
            DeploymentIdArg OrleansMembershipTable.DeploymentId%TYPE
        )
          RETURNS TABLE(row_count integer) AS
        $func$
        DECLARE
            RowCountVar int := 0;
        BEGIN

            BEGIN

                INSERT INTO OrleansMembershipVersionTable
                (
                    DeploymentId
                )
                SELECT DeploymentIdArg
                ON CONFLICT (DeploymentId) DO NOTHING;

                GET DIAGNOSTICS RowCountVar = ROW_COUNT;

                ASSERT RowCountVar <> 0, 'no rows affected, rollback';

                RETURN QUERY SELECT RowCountVar;
            EXCEPTION
            WHEN assert_failure THEN
                RETURN QUERY SELECT RowCountVar;
            END;

        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'InsertMembershipVersionKey','
            SELECT * FROM insert_membership_version(
                @DeploymentId
            );
        ')
        ;;
        CREATE FUNCTION insert_membership(
            DeploymentIdArg OrleansMembershipTable.DeploymentId%TYPE,
            AddressArg      OrleansMembershipTable.Address%TYPE,
            PortArg         OrleansMembershipTable.Port%TYPE,
            GenerationArg   OrleansMembershipTable.Generation%TYPE,
            SiloNameArg     OrleansMembershipTable.SiloName%TYPE,
            HostNameArg     OrleansMembershipTable.HostName%TYPE,
            StatusArg       OrleansMembershipTable.Status%TYPE,
            ProxyPortArg    OrleansMembershipTable.ProxyPort%TYPE,
            StartTimeArg    OrleansMembershipTable.StartTime%TYPE,
            IAmAliveTimeArg OrleansMembershipTable.IAmAliveTime%TYPE,
            VersionArg      OrleansMembershipVersionTable.Version%TYPE)
          RETURNS TABLE(row_count integer) AS
        $func$
        DECLARE
            RowCountVar int := 0;
        BEGIN

            BEGIN
                INSERT INTO OrleansMembershipTable
                (
                    DeploymentId,
                    Address,
                    Port,
                    Generation,
                    SiloName,
                    HostName,
                    Status,
                    ProxyPort,
                    StartTime,
                    IAmAliveTime
                )
                SELECT
                    DeploymentIdArg,
                    AddressArg,
                    PortArg,
                    GenerationArg,
                    SiloNameArg,
                    HostNameArg,
                    StatusArg,
                    ProxyPortArg,
                    StartTimeArg,
                    IAmAliveTimeArg
                ON CONFLICT (DeploymentId, Address, Port, Generation) DO
                    NOTHING;


                GET DIAGNOSTICS RowCountVar = ROW_COUNT;

                UPDATE OrleansMembershipVersionTable
                SET
                    Timestamp = now(),
                    Version = Version + 1
                WHERE
                    DeploymentId = DeploymentIdArg AND DeploymentIdArg IS NOT NULL
                    AND Version = VersionArg AND VersionArg IS NOT NULL
                    AND RowCountVar > 0;

                GET DIAGNOSTICS RowCountVar = ROW_COUNT;

                ASSERT RowCountVar <> 0, 'no rows affected, rollback';


                RETURN QUERY SELECT RowCountVar;
            EXCEPTION
            WHEN assert_failure THEN
                RETURN QUERY SELECT RowCountVar;
            END;

        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'InsertMembershipKey','
            SELECT * FROM insert_membership(
                @DeploymentId,
                @Address,
                @Port,
                @Generation,
                @SiloName,
                @HostName,
                @Status,
                @ProxyPort,
                @StartTime,
                @IAmAliveTime,
                @Version
            );
        ')
        ;;
        CREATE FUNCTION update_membership(
            DeploymentIdArg OrleansMembershipTable.DeploymentId%TYPE,
            AddressArg      OrleansMembershipTable.Address%TYPE,
            PortArg         OrleansMembershipTable.Port%TYPE,
            GenerationArg   OrleansMembershipTable.Generation%TYPE,
            StatusArg       OrleansMembershipTable.Status%TYPE,
            SuspectTimesArg OrleansMembershipTable.SuspectTimes%TYPE,
            IAmAliveTimeArg OrleansMembershipTable.IAmAliveTime%TYPE,
            VersionArg      OrleansMembershipVersionTable.Version%TYPE
          )
          RETURNS TABLE(row_count integer) AS
        $func$
        DECLARE
            RowCountVar int := 0;
        BEGIN

            BEGIN

            UPDATE OrleansMembershipVersionTable
            SET
                Timestamp = now(),
                Version = Version + 1
            WHERE
                DeploymentId = DeploymentIdArg AND DeploymentIdArg IS NOT NULL
                AND Version = VersionArg AND VersionArg IS NOT NULL;


            GET DIAGNOSTICS RowCountVar = ROW_COUNT;

            UPDATE OrleansMembershipTable
            SET
                Status = StatusArg,
                SuspectTimes = SuspectTimesArg,
                IAmAliveTime = IAmAliveTimeArg
            WHERE
                DeploymentId = DeploymentIdArg AND DeploymentIdArg IS NOT NULL
                AND Address = AddressArg AND AddressArg IS NOT NULL
                AND Port = PortArg AND PortArg IS NOT NULL
                AND Generation = GenerationArg AND GenerationArg IS NOT NULL
                AND RowCountVar > 0;


                GET DIAGNOSTICS RowCountVar = ROW_COUNT;

                ASSERT RowCountVar <> 0, 'no rows affected, rollback';


                RETURN QUERY SELECT RowCountVar;
            EXCEPTION
            WHEN assert_failure THEN
                RETURN QUERY SELECT RowCountVar;
            END;

        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'UpdateMembershipKey','
            SELECT * FROM update_membership(
                @DeploymentId,
                @Address,
                @Port,
                @Generation,
                @Status,
                @SuspectTimes,
                @IAmAliveTime,
                @Version
            );
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'MembershipReadRowKey','
            SELECT
                v.DeploymentId,
                m.Address,
                m.Port,
                m.Generation,
                m.SiloName,
                m.HostName,
                m.Status,
                m.ProxyPort,
                m.SuspectTimes,
                m.StartTime,
                m.IAmAliveTime,
                v.Version
            FROM
                OrleansMembershipVersionTable v
                -- This ensures the version table will returned even if there is no matching membership row.
                LEFT OUTER JOIN OrleansMembershipTable m ON v.DeploymentId = m.DeploymentId
                AND Address = @Address AND @Address IS NOT NULL
                AND Port = @Port AND @Port IS NOT NULL
                AND Generation = @Generation AND @Generation IS NOT NULL
            WHERE
                v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'MembershipReadAllKey','
            SELECT
                v.DeploymentId,
                m.Address,
                m.Port,
                m.Generation,
                m.SiloName,
                m.HostName,
                m.Status,
                m.ProxyPort,
                m.SuspectTimes,
                m.StartTime,
                m.IAmAliveTime,
                v.Version
            FROM
                OrleansMembershipVersionTable v LEFT OUTER JOIN OrleansMembershipTable m
                ON v.DeploymentId = m.DeploymentId
            WHERE
                v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'DeleteMembershipTableEntriesKey','
            DELETE FROM OrleansMembershipTable
            WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
            DELETE FROM OrleansMembershipVersionTable
            WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'GatewaysQueryKey','
            SELECT
                Address,
                ProxyPort,
                Generation
            FROM
                OrleansMembershipTable
            WHERE
                DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
                AND Status = @Status AND @Status IS NOT NULL
                AND ProxyPort > 0;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'CleanupDefunctSiloEntriesKey',
            'DELETE FROM OrleansMembershipTable
            WHERE DeploymentId = @DeploymentId
                AND @DeploymentId IS NOT NULL
                AND IAmAliveTime < @IAmAliveTime
                AND Status != 3;
        ')
        ;;
        CREATE TABLE OrleansRemindersTable
        (
            ServiceId varchar(150) NOT NULL,
            GrainId varchar(150) NOT NULL,
            ReminderName varchar(150) NOT NULL,
            StartTime timestamptz(3) NOT NULL,
            Period bigint NOT NULL,
            GrainHash integer NOT NULL,
            Version integer NOT NULL,

            CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY(ServiceId, GrainId, ReminderName)
        )
        ;;
        CREATE FUNCTION upsert_reminder_row(
            ServiceIdArg    OrleansRemindersTable.ServiceId%TYPE,
            GrainIdArg      OrleansRemindersTable.GrainId%TYPE,
            ReminderNameArg OrleansRemindersTable.ReminderName%TYPE,
            StartTimeArg    OrleansRemindersTable.StartTime%TYPE,
            PeriodArg       OrleansRemindersTable.Period%TYPE,
            GrainHashArg    OrleansRemindersTable.GrainHash%TYPE
          )
          RETURNS TABLE(version integer) AS
        $func$
        DECLARE
            VersionVar int := 0;
        BEGIN

            INSERT INTO OrleansRemindersTable
            (
                ServiceId,
                GrainId,
                ReminderName,
                StartTime,
                Period,
                GrainHash,
                Version
            )
            SELECT
                ServiceIdArg,
                GrainIdArg,
                ReminderNameArg,
                StartTimeArg,
                PeriodArg,
                GrainHashArg,
                0
            ON CONFLICT (ServiceId, GrainId, ReminderName)
                DO UPDATE SET
                    StartTime = excluded.StartTime,
                    Period = excluded.Period,
                    GrainHash = excluded.GrainHash,
                    Version = OrleansRemindersTable.Version + 1
            RETURNING
                OrleansRemindersTable.Version INTO STRICT VersionVar;

            RETURN QUERY SELECT VersionVar AS versionr;

        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'UpsertReminderRowKey','
            SELECT * FROM upsert_reminder_row(
                @ServiceId,
                @GrainId,
                @ReminderName,
                @StartTime,
                @Period,
                @GrainHash
            );
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'ReadReminderRowsKey','
            SELECT
                GrainId,
                ReminderName,
                StartTime,
                Period,
                Version
            FROM OrleansRemindersTable
            WHERE
                ServiceId = @ServiceId AND @ServiceId IS NOT NULL
                AND GrainId = @GrainId AND @GrainId IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'ReadReminderRowKey','
            SELECT
                GrainId,
                ReminderName,
                StartTime,
                Period,
                Version
            FROM OrleansRemindersTable
            WHERE
                ServiceId = @ServiceId AND @ServiceId IS NOT NULL
                AND GrainId = @GrainId AND @GrainId IS NOT NULL
                AND ReminderName = @ReminderName AND @ReminderName IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'ReadRangeRows1Key','
            SELECT
                GrainId,
                ReminderName,
                StartTime,
                Period,
                Version
            FROM OrleansRemindersTable
            WHERE
                ServiceId = @ServiceId AND @ServiceId IS NOT NULL
                AND GrainHash > @BeginHash AND @BeginHash IS NOT NULL
                AND GrainHash <= @EndHash AND @EndHash IS NOT NULL;
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'ReadRangeRows2Key','
            SELECT
                GrainId,
                ReminderName,
                StartTime,
                Period,
                Version
            FROM OrleansRemindersTable
            WHERE
                ServiceId = @ServiceId AND @ServiceId IS NOT NULL
                AND ((GrainHash > @BeginHash AND @BeginHash IS NOT NULL)
                OR (GrainHash <= @EndHash AND @EndHash IS NOT NULL));
        ')
        ;;
        CREATE FUNCTION delete_reminder_row(
            ServiceIdArg    OrleansRemindersTable.ServiceId%TYPE,
            GrainIdArg      OrleansRemindersTable.GrainId%TYPE,
            ReminderNameArg OrleansRemindersTable.ReminderName%TYPE,
            VersionArg      OrleansRemindersTable.Version%TYPE
        )
          RETURNS TABLE(row_count integer) AS
        $func$
        DECLARE
            RowCountVar int := 0;
        BEGIN


            DELETE FROM OrleansRemindersTable
            WHERE
                ServiceId = ServiceIdArg AND ServiceIdArg IS NOT NULL
                AND GrainId = GrainIdArg AND GrainIdArg IS NOT NULL
                AND ReminderName = ReminderNameArg AND ReminderNameArg IS NOT NULL
                AND Version = VersionArg AND VersionArg IS NOT NULL;

            GET DIAGNOSTICS RowCountVar = ROW_COUNT;

            RETURN QUERY SELECT RowCountVar;

        END
        $func$ LANGUAGE plpgsql
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'DeleteReminderRowKey','
            SELECT * FROM delete_reminder_row(
                @ServiceId,
                @GrainId,
                @ReminderName,
                @Version
            );
        ')
        ;;
        INSERT INTO OrleansQuery(QueryKey, QueryText)
        VALUES
        (
            'DeleteReminderRowsKey','
            DELETE FROM OrleansRemindersTable
            WHERE
                ServiceId = @ServiceId AND @ServiceId IS NOT NULL;
        ')
        """;
}
