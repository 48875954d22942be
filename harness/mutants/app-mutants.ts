import type { Mutant } from "./mutant.ts";
import { appFile, replaceOnce } from "./text-edit.ts";

/** The Django app (`cluster/app/`), planted into both nodes' app containers. */
export const appMutants: readonly Mutant[] = [
  {
    id: "app-healthz-without-db",
    title: "/healthz answers 200 without touching the database",
    layer: "app",
    profile: "hardened",
    why: "A developer turns /healthz into a liveness check that answers 200 while the process runs, so HAProxy's HTTP check keeps a node whose database is dead in rotation.",
    mutation: (clusterDir) => ({
      name: "app-healthz-without-db",
      files: appFile(clusterDir, "todo/health.py", (t, where) =>
        replaceOnce(
          t,
          "def healthz(request):\n",
          'def healthz(request):\n    return JsonResponse({"status": "ok", "node": settings.NODE_NAME})\n',
          where,
        ),
      ),
    }),
    // As with a TCP check: only the passive check takes node1 out, and the HTTP check puts it back.
    drills: [{ drill: "kill-node1-db", breaks: ["failover"] }],
  },
  {
    id: "app-500-on-new-items",
    title: "The app answers 500 to every new item (code ahead of its migration)",
    layer: "app",
    profile: "seed",
    why: "A release writes a `done` field the schema does not have yet (deployed before its migration), so every new item fails with a 500 while everything else, /healthz included, looks fine.",
    mutation: (clusterDir) => ({
      name: "app-500-on-new-items",
      files: appFile(clusterDir, "todo/api.py", (t, where) =>
        replaceOnce(
          t,
          "item = Item.objects.create(list=todo_list, text=text)\n",
          "item = Item.objects.create(list=todo_list, text=text, done=False)\n",
          where,
        ),
      ),
    }),
    // The seed's kill-node1-db expects requests to fail during the fault; only its steady state,
    // proven before anything is injected, tells these 500s from the fault's own (it passed before).
    drills: [{ drill: "kill-node1-db", breaks: ["steady-state-before#failed-requests"] }],
  },
];
