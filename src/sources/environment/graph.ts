/**
 * Which installed distributions are direct and which chain pulls each one in, from the
 * distributions' `Requires-Dist` and pip's `REQUESTED` markers.
 *
 * A requirement counts when its marker holds for this environment. A requirement of an extra
 * (`extra == "diagrams"`) counts only when something installed that counts asks for its
 * package with that extra (`pyparsing[diagrams]`), followed transitively, as pip itself
 * decides what to install: an extra nobody asked for pulls nothing in.
 *
 * A distribution is direct when pip recorded that the user asked for it (the `REQUESTED`
 * file of the packaging spec's "Recording installed projects", from PEP 376) or when nothing
 * installed requires it. Installers that write no `REQUESTED` (old pip, Debian, conda) leave
 * only the second rule.
 */
import {
  evaluateMarkerPartial,
  markerVariables,
  type MarkerEnvironment,
  type MarkerList,
} from '../../standards/markers.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { parseRequirement } from '../../standards/pep508.js';

export interface GraphNode {
  /** PEP 503 canonical name. */
  readonly name: string;
  /** `Requires-Dist` lines as written. */
  readonly requires: readonly string[];
  /** pip's `REQUESTED` file is present: the user asked for this distribution. */
  readonly requested: boolean;
}

export interface GraphPlace {
  readonly direct: boolean;
  /** The shortest chain from a direct distribution down to the one that requires this one. */
  readonly via: readonly string[];
}

interface Edge {
  readonly target: string;
  /** Canonical extras the requirement asks of its target. */
  readonly extras: readonly string[];
  readonly marker: MarkerList | null;
  /** The marker tests `extra`: the requirement belongs to an extra. */
  readonly ofExtra: boolean;
}

function readEdges(node: GraphNode, installed: ReadonlySet<string>): Edge[] {
  const edges: Edge[] = [];
  for (const text of node.requires) {
    let req;
    try {
      req = parseRequirement(text);
    } catch {
      continue; // an unreadable Requires-Dist line only costs the graph an edge
    }
    const target = canonicalizeName(req.name);
    if (!installed.has(target)) continue;
    edges.push({
      target,
      extras: req.extras.map(canonicalizeName),
      marker: req.marker,
      ofExtra: req.marker !== null && markerVariables(req.marker).has('extra'),
    });
  }
  return edges;
}

/** Whether a marker may hold with `extra` set to this value; unknown values count as holding. */
function holds(marker: MarkerList | null, markers: MarkerEnvironment, extra: string): boolean {
  if (marker === null) return true;
  try {
    return evaluateMarkerPartial(marker, { ...markers, extra }) !== false;
  } catch {
    return true;
  }
}

/**
 * For each requirement of each distribution, whether it counts: its marker holds with no extra,
 * or with an extra that a counting requirement asks of its distribution.
 */
function countedEdges(
  nodes: readonly GraphNode[],
  markers: MarkerEnvironment,
): Map<string, string[]> {
  const installed = new Set(nodes.map((n) => n.name));
  const edges = new Map(nodes.map((n) => [n.name, readEdges(n, installed)]));
  const counted = new Map(nodes.map((n) => [n.name, new Set<number>()]));
  const active = new Map(nodes.map((n) => [n.name, new Set<string>([''])]));
  const work: Array<[string, string]> = nodes.map((n) => [n.name, '']);
  while (work.length > 0) {
    const [name, extra] = work.pop() as [string, string];
    const list = edges.get(name) ?? [];
    list.forEach((edge, i) => {
      // Requirements outside extras do not change with the extra: the '' pass decided them.
      if (extra !== '' && !edge.ofExtra) return;
      if (!holds(edge.marker, markers, extra)) return;
      counted.get(name)?.add(i);
      const targetExtras = active.get(edge.target) as Set<string>;
      for (const e of edge.extras) {
        if (targetExtras.has(e)) continue;
        targetExtras.add(e);
        work.push([edge.target, e]);
      }
    });
  }
  // In Requires-Dist order, so that chains do not depend on the order extras were found in.
  // A distribution requiring itself (`celery[redis]; extra == "all"`) only enables its extras.
  return new Map(
    nodes.map((n) => {
      const indexes = counted.get(n.name) as Set<number>;
      const targets = (edges.get(n.name) ?? [])
        .filter((e, i) => indexes.has(i) && e.target !== n.name)
        .map((e) => e.target);
      return [n.name, [...new Set(targets)]];
    }),
  );
}

/** Each distribution's place in the environment's graph, by canonical name. */
export function environmentGraph(
  nodes: readonly GraphNode[],
  markers: MarkerEnvironment,
): Map<string, GraphPlace> {
  const edges = countedEdges(nodes, markers);
  const requiredBy = new Set([...edges.values()].flat());
  const roots = nodes.filter((n) => n.requested || !requiredBy.has(n.name)).map((n) => n.name);

  // Shortest chains from the direct distributions, breadth first.
  const via = new Map<string, string[]>(roots.map((r) => [r, []]));
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    for (const next of edges.get(name) ?? []) {
      if (!via.has(next)) {
        via.set(next, [...(via.get(name) as string[]), name]);
        queue.push(next);
      }
    }
  }
  const direct = new Set(roots);
  // Only a cycle that nothing direct requires is left unreached; its members are not direct.
  return new Map(
    nodes.map((n) => [n.name, { direct: direct.has(n.name), via: via.get(n.name) ?? [] }]),
  );
}
