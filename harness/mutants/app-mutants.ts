import type { Mutant } from "./mutant.ts";
import { appMutant } from "./mutant-builders.ts";

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
];
