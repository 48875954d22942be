import type { OpKind } from "../history/history.ts";

/**
 * What a to-do app's users do, by weight: add items, read them and whole lists, now and then a new
 * list, and now and then a transaction across two lists. Every kind the consistency checker reads:
 * appends and whole-list reads (list-append), reads of one item (registers), transactions
 * (anomalies across rows).
 *
 * Edits (`write-item`) are in every drill that names them in its mix (`editsMix`), not yet in the
 * default: with edits, the found drill split-replication-while-crash-node1 showed the seed's replicas
 * ending apart (2 items diverged, 1 lost update), which its explored invariants do not expect yet.
 */
export const defaultMix: Readonly<Record<OpKind, number>> = {
  "create-list": 1,
  "add-item": 3,
  "read-item": 2,
  "read-list": 2,
  "write-item": 0,
  txn: 1,
};

/** The default mix with edits of items' text and done flag, at the weight of item reads. */
export const editsMix: Readonly<Record<OpKind, number>> = { ...defaultMix, "write-item": 2 };

/** Draws an operation kind by the weights of `mix` (over the default mix; a kind weighted 0 never comes). */
export function kindPicker(
  mix: Partial<Record<OpKind, number>> | undefined,
  random: () => number,
): () => OpKind {
  const weighted = Object.entries({ ...defaultMix, ...mix }).filter(([, w]) => w > 0) as [OpKind, number][];
  const kinds = weighted.map(([k]) => k);
  const weights = weighted.map(([, w]) => w);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  return (): OpKind => {
    let r = random() * totalWeight;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return kinds[i]!;
    return kinds[0]!;
  };
}
