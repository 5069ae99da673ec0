import { NoiseStream } from './binary.js'
import { Rng, mixAll } from './prng.js'
import { TextWriter } from './text-writer.js'

/**
 * Text-like documents built paragraph by paragraph. Each paragraph comes from its own seed, and
 * an edit rewords, inserts or drops a few of them: an edited file is mostly the old bytes,
 * shifted, as when someone edits a note.
 */

/** Per edit, one paragraph in this many is reworded, one in INSERT gets a new one after it, ... */
const REWORD_ONE_IN = 14
const INSERT_ONE_IN = 30
const DROP_ONE_IN = 40
/** PDF-like files: share of paragraphs that are embedded images (noise) instead of text. */
const PDF_IMAGE_SHARE = 0.5
const PDF_IMAGE_MIN = 4 * 1024
const PDF_IMAGE_MAX = 48 * 1024

export type DocumentKind = 'markdown' | 'text' | 'office' | 'csv' | 'pdf'

/**
 * Calls `write` with the seed of each paragraph of the document `seed` after `edit` edits, in
 * order, until `write` returns false.
 */
function forEachParagraph (seed: number, edit: number, write: (paragraphSeed: number) => boolean): void {
  for (let i = 0; ; i++) {
    let dropped = false
    let p = mixAll(seed, i)
    for (let e = 1; e <= edit; e++) {
      if (mixAll(seed, i, e) % REWORD_ONE_IN === 0) p = mixAll(seed, i, e, 1)
      if (mixAll(seed, i, e, 4) % DROP_ONE_IN === 0) dropped = true
    }
    if (!dropped && !write(p)) return
    for (let e = 1; e <= edit; e++) {
      if (mixAll(seed, i, e, 2) % INSERT_ONE_IN === 0 && !write(mixAll(seed, i, e, 3))) return
    }
  }
}

function markdownParagraph (w: TextWriter, rng: Rng): void {
  const r = rng.float()
  if (r < 0.12) {
    w.ascii('#'.repeat(rng.range(1, 3)) + ' ')
    w.words(rng, rng.range(2, 6), true)
    w.ascii('\n\n')
  } else if (r < 0.32) {
    const checklist = r > 0.27
    for (let n = rng.range(3, 8); n > 0; n--) {
      w.ascii(checklist ? (rng.chance(0.5) ? '- [x] ' : '- [ ] ') : '- ')
      w.words(rng, rng.range(3, 10), true)
      w.byte(0x0a)
    }
    w.byte(0x0a)
  } else if (r < 0.36) {
    for (let n = rng.range(2, 6); n > 0; n--) {
      w.ascii('| ')
      w.words(rng, rng.range(1, 3), true)
      w.ascii(` | ${rng.int(1000)} | 2024-${1 + rng.int(12)}-${1 + rng.int(28)} |\n`)
    }
    w.byte(0x0a)
  } else {
    w.sentences(rng, rng.range(2, 7))
    w.ascii('\n\n')
  }
}

function officeParagraph (w: TextWriter, rng: Rng): void {
  if (rng.chance(0.1)) {
    const level = rng.range(1, 3)
    w.ascii(`<text:h text:style-name="Heading_20_${level}" text:outline-level="${level}">`)
    w.words(rng, rng.range(2, 6), true)
    w.ascii('</text:h>\n')
  } else {
    w.ascii(`<text:p text:style-name="P${rng.range(1, 9)}">`)
    w.sentences(rng, rng.range(1, 6))
    w.ascii('</text:p>\n')
  }
}

function csvRows (w: TextWriter, rng: Rng): void {
  for (let n = rng.range(10, 30); n > 0; n--) {
    w.ascii(`${rng.int(1000000)},2024-${1 + rng.int(12)}-${1 + rng.int(28)},`)
    w.word(rng)
    w.ascii(',"')
    w.words(rng, rng.range(2, 8))
    w.ascii(`",${(rng.int(1000000) / 100).toFixed(2)},`)
    w.word(rng)
    w.byte(0x0a)
  }
}

function pdfObject (w: TextWriter, rng: Rng, n: number): void {
  if (rng.chance(PDF_IMAGE_SHARE)) {
    const len = rng.range(PDF_IMAGE_MIN, PDF_IMAGE_MAX)
    w.ascii(`${n} 0 obj\n<< /Type /XObject /Subtype /Image /Width 640 /Height 480 /Filter /DCTDecode /Length ${len} >>\nstream\n`)
    const noise = Buffer.allocUnsafe(len)
    new NoiseStream(rng.u32()).fill(noise)
    w.bytes(noise)
    w.ascii('\nendstream\nendobj\n')
  } else {
    w.ascii(`${n} 0 obj\n<< /Length ${rng.range(500, 5000)} >>\nstream\nBT /F1 11 Tf\n`)
    for (let lines = rng.range(5, 30), y = 720; lines > 0; lines--, y -= 14) {
      w.ascii(`72 ${y} Td (`)
      w.sentence(rng)
      w.ascii(') Tj\n')
    }
    w.ascii('ET\nendstream\nendobj\n')
  }
}

function header (kind: DocumentKind, rng: Rng): string {
  switch (kind) {
    case 'office':
      return '<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3" ' +
        'office:mimetype="application/vnd.oasis.opendocument.text">\n<office:meta><meta:generator>LibreOffice/7.4.7.2$Linux_X86_64' +
        `</meta:generator><meta:editing-cycles>${rng.int(200)}</meta:editing-cycles></office:meta>\n<office:body><office:text>\n`
    case 'csv':
      return 'id,date,category,description,amount,account\n'
    case 'pdf':
      return '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
    default:
      return ''
  }
}

/** The document's bytes, exactly `size` long. */
export function documentContent (kind: DocumentKind, seed: number, edit: number, size: number): Buffer {
  const w = new TextWriter(size + 1024)
  w.ascii(header(kind, new Rng(seed)))
  let n = 1
  const rng = new Rng(0)
  forEachParagraph(seed, edit, (p) => {
    rng.reseed(p)
    switch (kind) {
      case 'markdown': markdownParagraph(w, rng); break
      case 'text':
        w.sentences(rng, rng.range(2, 7))
        w.ascii('\n\n')
        break
      case 'office': officeParagraph(w, rng); break
      case 'csv': csvRows(w, rng); break
      case 'pdf': pdfObject(w, rng, n++); break
    }
    return w.pos < size
  })
  return w.take(size)
}
