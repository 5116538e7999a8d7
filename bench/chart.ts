// The sweep as an SVG chart: one panel per workload, the number of parents across (evenly spaced
// categories), the paired ratio to the best hand-written SQL up (a log scale from 0.5 to 4, values
// beyond drawn at the edge), one colour per data scale: quiver-auto solid with dots, Kysely dashed.
// A line at 1 (the best raw) and the 1.10 target.

interface Row {
  readonly workload: string
  readonly scale: number
  readonly parents: number
  readonly impl: string
  readonly x_best_raw_paired: number
}

const colours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e']
const W = 260
const H = 200
const pad = { left: 40, right: 10, top: 28, bottom: 34 }
const lo = Math.log(0.5)
const hi = Math.log(4)

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export const chart = (rows: ReadonlyArray<Row>): string => {
  const workloads = [...new Set(rows.map(r => r.workload))]
  const scales = [...new Set(rows.map(r => r.scale))].sort((a, b) => a - b)
  const cols = Math.min(3, workloads.length)
  const width = cols * W
  const height = Math.ceil(workloads.length / cols) * H + 44
  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ]
  workloads.forEach((w, k) => {
    const ox = (k % cols) * W
    const oy = Math.floor(k / cols) * H
    const parents = [...new Set(rows.filter(r => r.workload === w).map(r => r.parents))].sort((a, b) => a - b)
    const iw = W - pad.left - pad.right
    const ih = H - pad.top - pad.bottom
    const x = (p: number) =>
      ox + pad.left + (parents.length === 1 ? iw / 2 : (parents.indexOf(p) / (parents.length - 1)) * iw)
    const y = (v: number) =>
      oy + pad.top + ih - ((Math.min(hi, Math.max(lo, Math.log(v))) - lo) / (hi - lo)) * ih
    out.push(`<text x="${ox + pad.left}" y="${oy + 16}" font-weight="bold">${esc(w)}</text>`)
    out.push(
      `<rect x="${ox + pad.left}" y="${oy + pad.top}" width="${iw}" height="${ih}" fill="none" stroke="#ccc"/>`,
    )
    for (const v of [0.5, 1, 1.1, 2, 4]) {
      const dash = v === 1.1 ? ' stroke-dasharray="4 2"' : ''
      const stroke = v === 1.1 ? '#c00' : v === 1 ? '#333' : '#eee'
      out.push(
        `<line x1="${ox + pad.left}" x2="${ox + pad.left + iw}" y1="${y(v)}" y2="${y(v)}" stroke="${stroke}"${dash}/>`,
      )
      out.push(`<text x="${ox + pad.left - 4}" y="${y(v) + 3}" text-anchor="end">${v}</text>`)
    }
    for (const p of parents)
      out.push(`<text x="${x(p)}" y="${oy + H - pad.bottom + 14}" text-anchor="middle">${p}</text>`)
    out.push(
      `<text x="${ox + pad.left + iw / 2}" y="${oy + H - 6}" text-anchor="middle" fill="#555">parents</text>`,
    )
    scales.forEach((sc, si) => {
      const colour = colours[si % colours.length] as string
      for (const [impl, dash] of [
        ['kysely', ' stroke-dasharray="3 3" stroke-opacity="0.6"'],
        ['quiver-auto', ''],
      ] as const) {
        const pts = parents.flatMap(p => {
          const r = rows.find(r => r.workload === w && r.scale === sc && r.parents === p && r.impl === impl)
          return r === undefined || !Number.isFinite(r.x_best_raw_paired)
            ? []
            : [[x(p), y(r.x_best_raw_paired)]]
        })
        if (pts.length === 0) continue
        out.push(
          `<polyline fill="none" stroke="${colour}" stroke-width="1.5"${dash} points="${pts.map(([a, b]) => `${a!.toFixed(1)},${b!.toFixed(1)}`).join(' ')}"/>`,
        )
        if (impl === 'quiver-auto')
          for (const [a, b] of pts)
            out.push(`<circle cx="${a!.toFixed(1)}" cy="${b!.toFixed(1)}" r="2.5" fill="${colour}"/>`)
      }
    })
  })
  const ly = height - 24
  out.push(
    `<text x="8" y="${ly}">ratio to the best hand-written SQL (paired median, log scale); quiver-auto solid, kysely dashed; red: the 1.10 target</text>`,
  )
  out.push(`<text x="8" y="${ly + 16}">data scale:</text>`)
  scales.forEach((sc, si) =>
    out.push(
      `<text x="${70 + si * 50}" y="${ly + 16}" fill="${colours[si % colours.length]}" font-weight="bold">${sc}</text>`,
    ),
  )
  out.push('</svg>')
  return out.join('\n') + '\n'
}
