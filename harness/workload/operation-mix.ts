import type { OpKind } from "../history/history.ts";

const defaultMix: Record<OpKind, number> = { "create-list": 2, "add-item": 4, "read-item": 4 };

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
