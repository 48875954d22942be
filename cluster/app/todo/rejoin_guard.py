"""The hardened profile's rejoin guard: a node whose database (re)started keeps /healthz at 503 until
its replica has caught up with its peer once.

Why: HAProxy sends traffic back to node1 as soon as /healthz answers, and a plain check knows nothing
of replication. node1 back from a crash, with the writes node2 took meanwhile still on their way (or
not on their way at all while the link is split), would answer reads without them: a client's own
write gone (read-your-writes), an item it had read gone again (monotonic reads).

The guard is scoped to a restart of the database: a running node whose replication link breaks
stays in (that is a split, and taking the active node out then would turn it into an outage). The
database's start time tells a restart apart; the moment its replica was last seen caught up is kept
in a small file that the server's workers share, so the guard holds across processes and resets when
the app itself restarts (a crashed node comes back with neither).

The price, on purpose: a node that restarts while its peer is unreachable stays out until the peer is
back, since it cannot tell a peer cut off (which still serves, and has writes it lacks) from a peer
that is down. Cut off, the peer serves meanwhile. Down too (a double fault), nothing serves until one
of them is back, or until the operator says this node is the one to keep: `STOP SLAVE; RESET SLAVE
ALL` on its database leaves no replica to wait for.
"""
import os
import time

# Seconds of slack when comparing the database's start time (now less its Uptime) between checks.
START_SLACK_SECONDS = 2


def held_back(cur, state_file, now=time.time):
    """None when the node may serve; otherwise why it is held back. `cur` is a cursor of the app user,
    which needs SLAVE MONITOR for SHOW SLAVE STATUS.

    Once released since this database started, a check costs one light query (its uptime): it runs
    every half second from HAProxy, and under load a heavier check timed out and took both nodes out
    (load-haproxy, hardened). The start time is the app's clock less the uptime, only ever compared
    with itself."""
    cur.execute("SHOW GLOBAL STATUS LIKE 'Uptime'")
    started = int(now()) - int(cur.fetchone()[1])
    seen = _recall(state_file)
    if seen is not None and abs(seen - started) <= START_SLACK_SECONDS:
        return None  # caught up since this database started: a later lag or split does not take it out
    cur.execute("SHOW SLAVE STATUS")
    row = cur.fetchone()
    if row is None:
        return None  # no replica configured (yet): nothing to wait for
    status = dict(zip([d[0] for d in cur.description], row))
    if caught_up(status):
        _remember(state_file, started)
        return None
    return (
        "rejoining: the replica has not caught up with its peer since the database started "
        f"(io {status.get('Slave_IO_Running')}, sql {status.get('Slave_SQL_Running')}, "
        f"behind {status.get('Seconds_Behind_Master')} s)"
    )


def caught_up(status):
    """Both replica threads run, the IO thread waits for the master (it has what was sent), and the
    SQL thread has applied all of it."""
    if status.get("Slave_IO_Running") != "Yes" or status.get("Slave_SQL_Running") != "Yes":
        return False
    if not str(status.get("Slave_IO_State", "")).startswith("Waiting for master to send event"):
        return False
    if status.get("Seconds_Behind_Master") != 0:
        return False
    return (
        status.get("Master_Log_File") == status.get("Relay_Master_Log_File")
        and status.get("Read_Master_Log_Pos") == status.get("Exec_Master_Log_Pos")
    )


def _remember(state_file, started):
    tmp = f"{state_file}.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(str(started))
    os.replace(tmp, state_file)  # atomic: another worker never reads half a number


def _recall(state_file):
    try:
        with open(state_file) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None
