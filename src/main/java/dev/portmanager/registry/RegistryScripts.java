package dev.portmanager.registry;

/**
 * The registry's server-side Lua scripts. Each registry operation is one of these, so it costs one round trip and
 * runs atomically. Every time comes from Redis's {@code TIME}: hosts' clocks never need to agree.
 */
final class RegistryScripts {
    private RegistryScripts() {
    }

    /** Lua prologue: {@code now} in milliseconds of Redis time. */
    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /** Rows of the entries named in the sorted set KEYS[1] whose score (deadline) is after now. */
    private static final String ROWS = """
            local members = redis.call('ZRANGEBYSCORE', KEYS[1], string.format('(%.0f', now), '+inf')
            local out = {}
            for i = 1, #members do
              local row = redis.call('HGET', ARGV[1] .. members[i], 'row')
              if row then
                out[#out + 1] = row
              end
            end
            return table.concat(out, '\\30')
            """;

    /**
     * Lua helper: counts a change and announces it. The change count's own key name is also the channel: the new
     * count is PUBLISHed on it, so watchers (sidecars' blocking queries) wake at once instead of polling (in a
     * Redis Cluster a PUBLISH reaches subscribers on every node). {@code pcall}: a user whom the ACL does not
     * allow to publish (Redis 7 gives new users no channels) still registers; its watchers then see the change
     * at their next poll of the count.
     */
    private static final String CHANGED = """
            local function changed(count)
              redis.pcall('PUBLISH', count, redis.call('INCR', count))
            end
            """;

    /**
     * Above this many listening instances a service keeps no view: lookups then read its index directly. The view
     * is rewritten on every publish of its service, so its size is bounded (64 rows, about 10 KB).
     */
    static final int VIEW_CAP = 64;

    /**
     * Lua helper: rebuilds a service's view (its live rows joined, one string) from its index, expiring with the
     * latest deadline in it; {@code MANY} stands in for a view too large to rewrite on every publish.
     */
    private static final String VIEW = """
            local function rebuild(index, view, now)
              local live = string.format('(%.0f', now)
              local count = redis.call('ZCOUNT', index, live, '+inf')
              if count == 0 then
                redis.call('DEL', view)
                return
              end
              local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
              local ttl = string.format('%.0f', math.max(1, tonumber(last[2]) - now))
              if count > CAP then
                -- counted, not read: a big service must not cost every publish a walk over all its rows
                redis.call('SET', view, 'MANY', 'PX', ttl)
              else
                local rows = redis.call('ZRANGEBYSCORE', index, live, '+inf')
                redis.call('SET', view, table.concat(rows, '\\30'), 'PX', ttl)
              end
            end
            """.replace("CAP", Integer.toString(VIEW_CAP));

    /**
     * Register or renew (an upsert), comparing owner and generation.
     * <ul>
     *   <li>no entry: write it, CREATED (first registration, or Redis lost its data)</li>
     *   <li>entry of a higher generation: SUPERSEDED, nothing written (a newer grant of this host:port)</li>
     *   <li>same generation, same owner: refresh fields and lease, RENEWED</li>
     *   <li>same generation, other owner: SUPERSEDED, except that a process takes over a reservation
     *       (owner {@code reservation#...}) of its own grant: CREATED</li>
     *   <li>lower generation: the older grant is replaced, CREATED</li>
     * </ul>
     * The entry's fields are written as they are, plus {@code row} (the values joined, see {@link AllocationFields})
     * and {@code deadline}; the entry gets PEXPIRE = lease, its deadline goes into the deadline index, and into its
     * service's index while it is LISTENING (out of it otherwise). The epoch key is created if missing. Reply:
     * outcome, epoch, Redis's time (which keeps the client's {@link RedisClock} fresh).
     *
     * <p>The service's view is rebuilt when its index changed (and the previous service's, if the entry moved).
     *
     * <p>Every publish that is not a plain renewal (a new entry, or any value other than the deadline changed)
     * increments the change count, which agents poll to refresh their connect tables, and publishes it (see
     * {@code CHANGED}).
     *
     * <p>KEYS: entry, deadlines, service index, services, epoch, change count.
     * ARGV: member, owner token, generation, lease ms, proposed epoch, service index base, "1" if listening,
     * service, view base, then field/value pairs.
     */
    static final String PUBLISH = NOW + VIEW + CHANGED + """
            local epoch = redis.call('GET', KEYS[5])
            if not epoch then
              epoch = ARGV[5]
              redis.call('SET', KEYS[5], epoch)
            end
            local gen = tonumber(ARGV[3])
            local cur = redis.call('HMGET', KEYS[1], 'generation', 'owner', 'service', 'row')
            local outcome = 'CREATED'
            local unlisted = 0
            if cur[1] then
              local held = tonumber(cur[1])
              if held > gen then
                return {'SUPERSEDED', epoch, string.format('%.0f', now)}
              end
              if held == gen then
                if cur[2] == ARGV[2] then
                  outcome = 'RENEWED'
                elseif string.sub(cur[2] or '', 1, 12) ~= 'reservation#' then
                  return {'SUPERSEDED', epoch, string.format('%.0f', now)}
                end
              end
              if cur[3] and cur[4] then
                unlisted = redis.call('ZREM', ARGV[6] .. cur[3], cur[4])
                if unlisted > 0 and cur[3] ~= ARGV[8] then
                  rebuild(ARGV[6] .. cur[3], ARGV[9] .. cur[3], now)
                end
              end
            end
            local lease = tonumber(ARGV[4])
            local deadline = string.format('%.0f', now + lease)
            local values = {}
            for i = 11, #ARGV, 2 do
              values[#values + 1] = ARGV[i]
            end
            values[#values + 1] = deadline
            local row = table.concat(values, '\\31')
            -- a renewal changes only the deadline (the row's last value): the change count ignores it
            if outcome == 'CREATED' or string.match(cur[4] or '', '^(.*)\\31') ~= string.match(row, '^(.*)\\31') then
              changed(KEYS[6])
            end
            redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'deadline', deadline, 'row', row, unpack(ARGV, 10))
            redis.call('PEXPIRE', KEYS[1], lease)
            redis.call('ZADD', KEYS[2], deadline, ARGV[1])
            if ARGV[7] == '1' then
              redis.call('ZADD', KEYS[3], deadline, row)
              redis.call('SADD', KEYS[4], ARGV[8])
            end
            if ARGV[7] == '1' or (unlisted > 0 and cur[3] == ARGV[8]) then
              rebuild(KEYS[3], ARGV[9] .. ARGV[8], now)
            end
            return {outcome, epoch, string.format('%.0f', now)}
            """;

    /**
     * Compare owner and generation, then delete the entry and its index members. Returns 1 if it deleted, 0 if
     * the entry is gone or belongs to another owner or grant.
     *
     * <p>KEYS: entry, deadlines, change count. ARGV: member, owner token, generation, service index base, view base.
     */
    static final String WITHDRAW = NOW + VIEW + CHANGED + """
            local cur = redis.call('HMGET', KEYS[1], 'generation', 'owner', 'service', 'row')
            if not cur[1] or tonumber(cur[1]) ~= tonumber(ARGV[3]) or cur[2] ~= ARGV[2] then
              return 0
            end
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            changed(KEYS[3])
            if cur[3] and cur[4] and redis.call('ZREM', ARGV[4] .. cur[3], cur[4]) > 0 then
              rebuild(ARGV[4] .. cur[3], ARGV[5] .. cur[3], now)
            end
            return 1
            """;

    /**
     * The live, listening entries of one service, for discovery: the hot path, so it reads a single string. Each
     * service has a view, {@code {p}:view:<service>}: the rows of its live LISTENING entries joined by the row
     * separator, rebuilt by every script that changes the service's index (publish, withdraw, reap) and expiring
     * with the last deadline in it. The script GETs it and prefixes the "now" it used; the client drops rows whose
     * deadline (the last value of each row) is not after that now, since an entry may have expired since the
     * view was built. A service with more than {@link #VIEW_CAP} instances has the view {@code MANY} instead, and
     * the script reads its index (rows scored by deadline) with ZRANGEBYSCORE.
     *
     * <p>"Now" is Redis's time as the client estimates it ({@link RedisClock}); when the client has no fresh
     * estimate it sends an empty ARGV[1] and the script asks {@code TIME} itself.
     *
     * <p>The fast path does nothing but the GET and one concatenation: every Lua operation counts against a
     * budget of a plain GET's latency.
     *
     * <p>KEYS: view, service index. ARGV: Redis time in ms (an integer), or empty.
     */
    static final String LOOKUP = """
            local now = ARGV[1]
            if now == '' then
              local t = redis.call('TIME')
              now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
            end
            local rows = redis.call('GET', KEYS[1])
            if rows == 'MANY' then
              rows = table.concat(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf'), '\\30')
            end
            if not rows or rows == '' then
              return now
            end
            return now .. '\\30' .. rows
            """;

    /**
     * Every live entry, in any state: members of the deadline index whose deadline is still ahead, each entry's
     * row read from its hash (entries that expired meanwhile are skipped).
     *
     * <p>KEYS: deadlines. ARGV: entry key base.
     */
    static final String ALL = NOW + ROWS;

    /**
     * Removes entries whose deadline passed more than the grace ago (at most a batch per call, so one call never
     * blocks Redis for long), and trims every service index the same way. Returns how many entries it removed,
     * counting those whose hash had already expired but whose index members remained.
     *
     * <p>KEYS: deadlines, services, change count. ARGV: grace ms, entry key base, service index base, batch size, view base.
     */
    static final String REAP = NOW + VIEW + CHANGED + """
            local cutoff = string.format('(%.0f', now - tonumber(ARGV[1]))
            local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[4]))
            for i = 1, #stale do
              redis.call('DEL', ARGV[2] .. stale[i])
              redis.call('ZREM', KEYS[1], stale[i])
            end
            if #stale > 0 then
              changed(KEYS[3])
            end
            local services = redis.call('SMEMBERS', KEYS[2])
            for i = 1, #services do
              local index = ARGV[3] .. services[i]
              if redis.call('ZREMRANGEBYSCORE', index, '-inf', cutoff) > 0 then
                rebuild(index, ARGV[5] .. services[i], now)
              end
              if redis.call('ZCARD', index) == 0 then
                redis.call('SREM', KEYS[2], services[i])
              end
            end
            return #stale
            """;
}
