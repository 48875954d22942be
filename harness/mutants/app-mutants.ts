import type { Mutant } from "./mutant.ts";
import { appMutant, profileMutant } from "./mutant-builders.ts";

/** The Django app (`cluster/app/`), planted into both nodes' app containers. */
export const appMutants: readonly Mutant[] = [
  appMutant(
    {
      id: "app-healthz-without-db",
      title: "/healthz answers 200 without touching the database",
      layer: "app",
      profile: "hardened",
      why: "A developer turns /healthz into a liveness check that answers 200 while the process runs, so HAProxy's HTTP check keeps a node whose database is dead in rotation.",
      // As with a TCP check: only the passive check takes node1 out, and the HTTP check puts it back.
      drills: [{ drill: "kill-node1-db", breaks: ["failover"] }],
    },
    "todo/health.py",
    [
      "def healthz(request):\n",
      'def healthz(request):\n    return JsonResponse({"status": "ok", "node": settings.NODE_NAME})\n',
    ],
  ),
  appMutant(
    {
      id: "app-500-on-new-items",
      title: "The app answers 500 to every new item (code ahead of its migration)",
      layer: "app",
      profile: "seed",
      why: "A release writes a `priority` field the schema does not have yet (deployed before its migration), so every new item fails with a 500 while everything else, /healthz included, looks fine.",
      // The seed's kill-node1-db expects requests to fail during the fault; only its steady state,
      // proven before anything is injected, tells these 500s from the fault's own (it passed before).
      drills: [{ drill: "kill-node1-db", breaks: ["steady-state-before#failed-requests"] }],
    },
    "todo/api.py",
    [
      "item = Item.objects.create(list=todo_list, text=text)\n",
      "item = Item.objects.create(list=todo_list, text=text, priority=0)\n",
    ],
  ),
  appMutant(
    {
      id: "app-read-cache",
      title: "The app serves item reads from a per-process cache that edits do not clear",
      layer: "app",
      profile: "hardened",
      why: "A performance fix keeps each item the process has read in its memory and answers later reads from there; an edit writes the database but not the cache, so a client reads an item as it was before an edit that was acknowledged, even its own.",
      // Only a workload that edits and reads back sees it, and only the consistency checker judges
      // what a read should have shown: the read after an acknowledged edit is a stale read.
      drills: [{ drill: "split-replication", breaks: ["models#stale-read"] }],
    },
    "todo/api.py",
    [
      'def get_item(request, item_id):\n    item = Item.objects.filter(pk=item_id).first()\n    if item is None:\n        return _error(404, f"no item {item_id}")\n    return JsonResponse(item.as_json())\n',
      '_ITEMS_READ = {}\n\n\ndef get_item(request, item_id):\n    if request.method == "GET" and item_id in _ITEMS_READ:\n        return JsonResponse(_ITEMS_READ[item_id])\n    item = Item.objects.filter(pk=item_id).first()\n    if item is None:\n        return _error(404, f"no item {item_id}")\n    if request.method == "GET":\n        _ITEMS_READ[item_id] = item.as_json()\n    return JsonResponse(item.as_json())\n',
    ],
  ),
  profileMutant(
    {
      id: "app-rejoin-guard-removed",
      title: "The app runs without its rejoin guard (REJOIN_GUARD unset)",
      layer: "app",
      profile: "hardened",
      why: "The operator deploys the app without `REJOIN_GUARD=1` (a copied environment file, or the guard switched off while chasing a slow failback), so /healthz answers 200 as soon as node1's database does and HAProxy sends traffic back to a node1 that has not caught up with node2.",
      // node1's database comes back behind node2: without the guard node1 serves at once, and the
      // session that wrote on node2 reads a list on node1 without its own items.
      drills: [
        {
          drill: "rejoin-behind",
          breaks: ["models#monotonic-reads", "models#read-your-writes", "no-stale-read"],
        },
      ],
    },
    (p) => {
      if (p.appEnv.REJOIN_GUARD !== "1")
        throw new Error(
          "app-rejoin-guard-removed: the profile's app has no REJOIN_GUARD=1: update the mutant",
        );
      return {
        ...p,
        appEnv: Object.fromEntries(Object.entries(p.appEnv).filter(([k]) => k !== "REJOIN_GUARD")),
      };
    },
  ),
];
