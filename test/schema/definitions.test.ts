// Definitions that can never work (issue 13): every one is a Left SchemaError naming schema,
// association and option, from `Schema.model` or, for a table's own input, from `Schema.table` (which
// never throws and records what it cannot use). Markers and definitions are recognised by their brand,
// never by their shape.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Preload, Schema, type SchemaError } from '../../src/index.js'
import { isColumn } from '../../src/schema/Column.js'
import { ddl } from '../../src/sql/Ddl.js'
import * as Spec from '../../src/plan/Spec.js'
import { Blog } from '../support/blog.js'
import { connect, type TestDb } from '../support/db.js'

const user = Schema.table(
  'user',
  'users',
  {
    id: Column.serial,
    name: Column.text,
    email: Column.nullable(Column.text),
  },
  { unique: ['email'] },
)
const post = Schema.table('post', 'posts', {
  id: Column.serial,
  user_id: Column.integer,
  editor_id: Column.nullable(Column.integer),
  user_code: Column.nullable(Column.text),
  flag: Column.nullable(Column.boolean),
  title: Column.text,
  published: Column.boolean,
})
const member = Schema.table(
  'member',
  'members',
  { tenant_id: Column.integer, id: Column.integer, email: Column.text },
  { primaryKey: ['tenant_id', 'id'], unique: ['email', ['tenant_id', 'id']] },
)
const note = Schema.table('note', 'notes', {
  id: Column.serial,
  member_id: Column.nullable(Column.integer),
  member_email: Column.nullable(Column.text),
})
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
const post_tag = Schema.table(
  'post_tag',
  'posts_tags',
  { post_id: Column.integer, tag_id: Column.integer, label: Column.text },
  { primaryKey: [] },
)
const label = Schema.table('label', 'labels', { id: Column.text, name: Column.text })
const label_link = Schema.table(
  'label_link',
  'label_links',
  { post_id: Column.integer, label_id: Column.text },
  { primaryKey: [] },
)

const tables = { user, post, member, note, tag, post_tag, label, label_link }
const define = (defs: unknown) => Schema.model(tables, defs as never)

const expectError = (
  r: E.Either<unknown, unknown>,
  schema: string,
  association: string | null,
  option: string | null,
  reason: RegExp,
) => {
  expect(E.isLeft(r)).toBe(true)
  if (E.isRight(r)) return
  const e = r.left as SchemaError
  expect(e._tag).toBe('SchemaError')
  expect({ schema: e.schema, association: e.association, option: e.option }).toEqual({
    schema,
    association,
    option,
  })
  expect(e.reason).toMatch(reason)
  expect(e.message).toContain(`schema '${schema}'`)
  if (association !== null) expect(e.message).toContain(`association '${association}'`)
  if (option !== null) expect(e.message).toContain(`option '${option}'`)
}

const has = (name: string, assoc: unknown) => ({ user: { [name]: assoc } })
const m2m = (options: object) => ({ post: { tags: Schema.manyToMany('tag', options as never) } })
const m2mLabels = (options: object) => ({
  post: { labels: Schema.manyToMany('label', { joinThrough: 'label_link', ...options } as never) },
})
const long64 = 'é'.repeat(32) // 32 characters, 64 UTF-8 bytes
const long63 = `${'é'.repeat(31)}x` // 63 bytes

// [what, definitions, schema, association, option, reason]
const invalid: ReadonlyArray<readonly [string, unknown, string, string | null, string | null, RegExp]> = [
  // keys given as null (accepted as "absent" before)
  [
    'hasMany foreignKey null',
    has('posts', Schema.hasMany('post', { foreignKey: null } as never)),
    'user',
    'posts',
    'foreignKey',
    /expected a column name, got null/,
  ],
  [
    'hasMany references null',
    has('posts', Schema.hasMany('post', { references: null } as never)),
    'user',
    'posts',
    'references',
    /expected a column name, got null/,
  ],
  [
    'belongsTo foreignKey null',
    { post: { user: Schema.belongsTo('user', { foreignKey: null } as never) } },
    'post',
    'user',
    'foreignKey',
    /expected a column name, got null/,
  ],
  [
    'belongsTo references null',
    { post: { user: Schema.belongsTo('user', { references: null } as never) } },
    'post',
    'user',
    'references',
    /expected a column name, got null/,
  ],
  [
    'joinKeys null',
    m2m({ joinThrough: 'post_tag', joinKeys: null }),
    'post',
    'tags',
    'joinKeys',
    /expected \[\[joinOwnerKey, ownerKey\]/,
  ],
  ['unique null', m2m({ joinThrough: 'post_tag', unique: null }), 'post', 'tags', 'unique', /a boolean/],
  // where values the column's codec rejects
  ...(
    [
      ['published', 'yes'],
      ['editor_id', 'abc'],
      ['editor_id', 1.5],
      ['editor_id', NaN],
      ['editor_id', Infinity],
      ['title', new Date(0)],
      ['title', new Date('not a date')],
      ['published', Schema.isIn([true, 'no'])],
    ] as const
  ).map(
    ([column, value]) =>
      [
        `where ${column} = ${String(value)}`,
        has('posts', Schema.hasMany('post', { where: { [column]: value } } as never)),
        'user',
        'posts',
        `where.${column}`,
        /is not a value of column 'post\./,
      ] as const,
  ),
  [
    'a BigInt where value',
    has('posts', Schema.hasMany('post', { where: { editor_id: 10n } } as never)),
    'user',
    'posts',
    'where.editor_id',
    /got 10n/,
  ],
  [
    'joinWhere value the join column rejects',
    m2m({ joinThrough: 'post_tag', joinWhere: { label: 5 } }),
    'post',
    'tags',
    'joinWhere.label',
    /5 is not a value of column 'post_tag.label' \(text\)/,
  ],
  // null filters that never match
  [
    'where null on a NOT NULL column',
    has('posts', Schema.hasMany('post', { where: { title: null } })),
    'user',
    'posts',
    'where.title',
    /NOT NULL, so a null filter never matches/,
  ],
  [
    'where null on the foreign key itself',
    has('edited', Schema.hasMany('post', { foreignKey: 'editor_id', where: { editor_id: null } })),
    'user',
    'edited',
    'where.editor_id',
    /the key the association joins on/,
  ],
  [
    'where null on the belongsTo target key (a nullable unique key)',
    {
      note: {
        owner: Schema.belongsTo('member', {
          foreignKey: 'member_email',
          references: 'email',
          where: { email: null },
        }),
      },
    },
    'note',
    'owner',
    'where.email',
    /NOT NULL|joins on/,
  ],
  // nilify on a NOT NULL foreign key
  [
    "onReplace 'nilify' on a NOT NULL foreign key",
    has('posts', Schema.hasMany('post', { onReplace: 'nilify' })),
    'user',
    'posts',
    'onReplace',
    /sets foreign key 'post.user_id' to null, but the column is NOT NULL/,
  ],
  [
    "onDelete 'nilify_all' on a NOT NULL foreign key",
    has('posts', Schema.hasMany('post', { onDelete: 'nilify_all' })),
    'user',
    'posts',
    'onDelete',
    /'post.user_id' to null, but the column is NOT NULL/,
  ],
  [
    "belongsTo onReplace 'nilify' on a NOT NULL foreign key",
    { post: { user: Schema.belongsTo('user', { onReplace: 'nilify' }) } },
    'post',
    'user',
    'onReplace',
    /'post.user_id' to null/,
  ],
  // defaults of the wrong type
  [
    'defaults value the column rejects',
    has('posts', Schema.hasMany('post', { defaults: { published: 'yes' } })),
    'user',
    'posts',
    'defaults.published',
    /"yes" is not a value of column 'post.published' \(boolean\)/,
  ],
  [
    'joinDefaults value the join column rejects',
    m2m({ joinThrough: 'post_tag', joinDefaults: { label: 5 } }),
    'post',
    'tags',
    'joinDefaults.label',
    /is not a value of column 'post_tag.label'/,
  ],
  // item 8: join rows take plain values only
  [
    'joinDefaults given as Schema.withArgs',
    m2m({ joinThrough: 'post_tag', joinDefaults: Schema.withArgs(c => c) }),
    'post',
    'tags',
    'joinDefaults',
    /not applied to join rows/,
  ],
  [
    'joinDefaults given as a function',
    m2m({ joinThrough: 'post_tag', joinDefaults: () => ({}) }),
    'post',
    'tags',
    'joinDefaults',
    /not applied to join rows/,
  ],
  // association names
  ['an association named ""', has('', Schema.hasMany('post')), 'user', '', 'name', /non-empty/],
  [
    'an association named __proto__',
    { user: JSON.parse('{"__proto__": 1}') as unknown },
    'user',
    '__proto__',
    null,
    /not an association/,
  ],
  [
    'an association named __proto__ (a real association)',
    { user: Object.defineProperty({}, '__proto__', { value: Schema.hasMany('post'), enumerable: true }) },
    'user',
    '__proto__',
    'name',
    /'__proto__' cannot be a field/,
  ],
  [
    'an association name of 64 bytes',
    has(long64, Schema.hasMany('post')),
    'user',
    long64,
    'name',
    /64 bytes long/,
  ],
  [
    'an association name with NUL',
    has('po\u0000sts', Schema.hasMany('post')),
    'user',
    'po\u0000sts',
    'name',
    /NUL/,
  ],
  // key types
  [
    'text foreign key -> integer key',
    has('byCode', Schema.hasMany('post', { foreignKey: 'user_code' })),
    'user',
    'byCode',
    'foreignKey',
    /'post.user_code' \(text\) cannot match key 'user.id' \(integer generated by default as identity\)/,
  ],
  [
    'boolean foreign key -> integer key',
    { post: { flagger: Schema.belongsTo('user', { foreignKey: 'flag' }) } },
    'post',
    'flagger',
    'foreignKey',
    /'post.flag' \(boolean\) cannot match/,
  ],
  [
    'integer foreign key -> text unique key',
    has('byEmail', Schema.hasMany('post', { references: 'email', foreignKey: 'editor_id' })),
    'user',
    'byEmail',
    'foreignKey',
    /their types differ/,
  ],
  [
    'many-to-many join key of another type than its key',
    m2mLabels({
      joinKeys: [
        ['post_id', 'id'],
        ['post_id', 'id'],
      ],
    }),
    'post',
    'labels',
    'joinKeys',
    /'label_link.post_id' \(integer\) cannot match key 'label.id' \(text\)/,
  ],
  [
    'many-to-many join keys swapped',
    m2mLabels({
      joinKeys: [
        ['label_id', 'id'],
        ['post_id', 'id'],
      ],
    }),
    'post',
    'labels',
    'joinKeys',
    /look swapped/,
  ],
  // keys that do not identify one row
  [
    'composite primary key owner with default references',
    { member: { notes: Schema.hasMany('note') } },
    'member',
    'notes',
    'references',
    /composite primary key \(tenant_id, id\)/,
  ],
  [
    'references a column that is not unique (part of a composite key)',
    { member: { notes: Schema.hasMany('note', { references: 'id', foreignKey: 'member_id' }) } },
    'member',
    'notes',
    'references',
    /neither the primary key of schema 'member' nor one of its unique keys/,
  ],
  [
    'belongsTo target key that is not unique',
    { note: { member: Schema.belongsTo('member', { foreignKey: 'member_id' }) } },
    'note',
    'member',
    'references',
    /neither the primary key/,
  ],
  [
    'references a plain column',
    has('named', Schema.hasMany('post', { references: 'name', foreignKey: 'user_code' })),
    'user',
    'named',
    'references',
    /neither the primary key/,
  ],
  [
    'many-to-many owner key that is not unique',
    m2m({
      joinThrough: 'post_tag',
      joinKeys: [
        ['post_id', 'user_id'],
        ['tag_id', 'id'],
      ],
    }),
    'post',
    'tags',
    'joinKeys',
    /'user_id' is neither/,
  ],
  // identifiers
  [
    'a schema-qualified source',
    has('posts', Schema.hasMany('post', { source: 'public.posts' })),
    'user',
    'posts',
    'source',
    /contains a dot/,
  ],
  [
    'a source of 64 bytes',
    has('posts', Schema.hasMany('post', { source: long64 })),
    'user',
    'posts',
    'source',
    /64 bytes/,
  ],
  [
    'a source with NUL',
    has('posts', Schema.hasMany('post', { source: 'po\u0000sts' })),
    'user',
    'posts',
    'source',
    /NUL/,
  ],
  [
    'a schema-qualified join table',
    m2m({ joinThrough: 'public.posts_tags' }),
    'post',
    'tags',
    'joinThrough',
    /contains a dot/,
  ],
  ['a join table of 64 bytes', m2m({ joinThrough: long64 }), 'post', 'tags', 'joinThrough', /64 bytes/],
  ['a join table with NUL', m2m({ joinThrough: 'a\u0000b' }), 'post', 'tags', 'joinThrough', /NUL/],
  [
    'a join key with NUL on a join table given by name',
    m2m({
      joinThrough: 'posts_tags',
      joinKeys: [
        ['post\u0000id', 'id'],
        ['tag_id', 'id'],
      ],
    }),
    'post',
    'tags',
    'joinKeys',
    /NUL/,
  ],
  // shaped like our values, but not built by us
  [
    'a where value shaped like Schema.notNull',
    has(
      'posts',
      Schema.hasMany('post', { where: { editor_id: Object.freeze({ _tag: 'WhereNotNull' }) } } as never),
    ),
    'user',
    'posts',
    'where.editor_id',
    /expected null, Schema.notNull/,
  ],
  [
    'a where value shaped like a fragment',
    has(
      'posts',
      Schema.hasMany('post', {
        where: {
          title: Object.freeze({
            _tag: 'WhereFragment',
            strings: ['true or ', ''],
            args: [{ _tag: 'Self' }],
          }),
        },
      } as never),
    ),
    'user',
    'posts',
    'where.title',
    /expected null, Schema.notNull/,
  ],
  [
    'a fragment whose self is shaped like Schema.self',
    has('posts', Schema.hasMany('post', { where: { title: Schema.fragment`${{ _tag: 'Self' }} = 'x'` } })),
    'user',
    'posts',
    'where.title',
    /exactly once, found 0/,
  ],
  [
    'an association shaped like hasMany',
    has('posts', Object.freeze({ _tag: 'HasMany', target: 'post', options: {} })),
    'user',
    'posts',
    null,
    /not an association/,
  ],
]

describe('Schema.model rejects every definition that can never work', () => {
  it.each(invalid)('%s', (_what, defs, schema, association, option, reason) => {
    expectError(define(defs), schema, association, option, reason)
  })

  it('a withArgs shaped literal is a record of column values, not defaults to call', () => {
    let called = false
    const shaped = {
      _tag: 'DefaultsWithArgs',
      fn: () => {
        called = true
        return {}
      },
      args: [],
    }
    expectError(
      define(has('posts', Schema.hasMany('post', { defaults: shaped as never }))),
      'user',
      'posts',
      'defaults._tag',
      /not a column/,
    )
    expect(called).toBe(false)
  })
})

describe('valid definitions next to the invalid ones are accepted', () => {
  const ok = (defs: unknown) => {
    const r = define(defs)
    if (E.isLeft(r)) throw new Error(r.left.message)
    return r.right
  }
  it('keys of one family, unique keys, nullable filters, 63-byte names', () => {
    const m = ok({
      user: {
        posts: Schema.hasMany('post', {
          onDelete: 'delete_all',
          where: { published: true, editor_id: null },
        }),
        edited: Schema.hasMany('post', {
          foreignKey: 'editor_id',
          onReplace: 'nilify',
          onDelete: 'nilify_all',
        }),
        [long63]: Schema.hasMany('post', { source: long63.replace('x', 'y') }),
      },
      member: {
        notes: Schema.hasMany('note', { references: 'email', foreignKey: 'member_email' }),
      },
      note: { owner: Schema.belongsTo('member', { foreignKey: 'member_email', references: 'email' }) },
      post: {
        editor: Schema.belongsTo('user', { foreignKey: 'editor_id', onReplace: 'nilify' }),
        tags: Schema.manyToMany('tag', {
          joinThrough: 'post_tag',
          joinDefaults: { label: 'x' },
          where: { name: Schema.isIn(['a', 'b']) },
        }),
        labels: Schema.manyToMany('label', {
          joinThrough: 'label_link',
          joinKeys: [
            ['post_id', 'id'],
            ['label_id', 'id'],
          ],
        }),
      },
    })
    expect(m.associations.get('note')?.get('owner')).toMatchObject({
      ownerKey: 'member_email',
      relatedKey: 'email',
    })
    expect(m.associations.get('user')?.get(long63)).toMatchObject({ source: `${'é'.repeat(31)}y` })
  })

  it('integer keys match bigint and serial keys; bare codecs are compared by the values they accept', () => {
    const a = Schema.table('a', 'as', { id: Column.bigserial })
    const b = Schema.table('b', 'bs', { id: Column.serial, a_id: Column.integer, n: t.number, s: t.string })
    const c = Schema.table('c', 'cs', { id: t.number })
    expect(E.isRight(Schema.model({ a, b }, { a: { bs: Schema.hasMany('b') } }))).toBe(true)
    expect(E.isRight(Schema.model({ b, c }, { c: { bs: Schema.hasMany('b', { foreignKey: 'n' }) } }))).toBe(
      true,
    )
    expectError(
      Schema.model({ b, c }, { c: { bs: Schema.hasMany('b', { foreignKey: 's' }) } }),
      'c',
      'bs',
      'foreignKey',
      /'b.s' \(codec string\) cannot match key 'c.id' \(codec number\)/,
    )
  })
})

describe('Schema.table validates its own input without throwing', () => {
  const table = Schema.table as unknown as (...args: ReadonlyArray<unknown>) => Schema.Table
  // [what, arguments, schema, option, reason]
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<unknown>, string, string | null, RegExp]> = [
    ['a column null', ['t', 't', { id: null }], 't', 'columns.id', /io-ts codec or a Column.*got null/],
    ['columns null', ['t', 't', null], 't', 'columns', /expected an object of columns, got null/],
    ['a column given as a string', ['t', 't', { id: 'integer' }], 't', 'columns.id', /got "integer"/],
    [
      'a column shaped like a Column',
      ['t', 't', { id: { _tag: 'Column', codec: null, sqlType: 'integer', nullable: false } }],
      't',
      'columns.id',
      /io-ts codec or a Column/,
    ],
    ['primaryKey 42', ['t', 't', { id: Column.integer }, { primaryKey: 42 }], 't', 'primaryKey', /got 42/],
    [
      'a primary key column twice',
      ['t', 't', { id: Column.integer }, { primaryKey: ['id', 'id'] }],
      't',
      'primaryKey',
      /given twice/,
    ],
    [
      'a primary key that is no column',
      ['t', 't', { x: Column.integer }],
      't',
      'primaryKey',
      /'id' is not a column/,
    ],
    [
      'unique naming no column',
      ['t', 't', { id: Column.integer }, { unique: ['nope'] }],
      't',
      'unique',
      /'nope'/,
    ],
    ['unique not a list', ['t', 't', { id: Column.integer }, { unique: 'id' }], 't', 'unique', /a list/],
    [
      'unique with an empty key',
      ['t', 't', { id: Column.integer }, { unique: [[]] }],
      't',
      'unique',
      /non-empty/,
    ],
    [
      'an unknown table option',
      ['t', 't', { id: Column.integer }, { uniq: ['id'] }],
      't',
      'uniq',
      /unknown table option/,
    ],
    ['options null', ['t', 't', { id: Column.integer }, null], 't', null, /table options, got null/],
    ['a schema name ""', ['', 't', { id: Column.integer }], '', 'name', /non-empty/],
    ['a schema name with NUL', ['a\u0000b', 't', { id: Column.integer }], 'a\u0000b', 'name', /NUL/],
    ['a source with NUL', ['t', 'a\u0000b', { id: Column.integer }], 't', 'source', /NUL/],
    ['a source of 64 bytes', ['t', long64, { id: Column.integer }], 't', 'source', /64 bytes long/],
    ['a schema-qualified source', ['t', 'public.comments', { id: Column.integer }], 't', 'source', /dot/],
    ['a source that is no string', ['t', 5, { id: Column.integer }], 't', 'source', /got 5/],
    [
      'a column name of 64 bytes',
      ['t', 't', { id: Column.integer, [long64]: Column.text }],
      't',
      `columns.${long64}`,
      /64 bytes/,
    ],
    [
      'a column name with NUL',
      ['t', 't', { id: Column.integer, 'a\u0000': Column.text }],
      't',
      'columns.a\u0000',
      /NUL/,
    ],
  ]
  it.each(cases)('%s', (_what, args, schema, option, reason) => {
    let made: Schema.Table | undefined
    expect(() => {
      made = table(...args)
    }).not.toThrow()
    if (made === undefined) return
    expect(made.problems.length).toBeGreaterThan(0)
    expectError(E.left(made.problems[0]), schema, null, option, reason)
    // `model` reports it as its Left.
    const loose = Schema.model as unknown as (tables: unknown, defs: unknown) => E.Either<unknown, unknown>
    const r = loose({ [schema]: made }, {})
    expectError(r, schema, null, option, reason)
  })

  it('a valid table has no problems, a 63-byte source included', () => {
    expect(Schema.table('t', long63, { id: Column.integer }).problems).toEqual([])
    expect(member.problems).toEqual([])
    expect(member.unique).toEqual([['email'], ['tenant_id', 'id']])
  })

  it('a table copied into a plain object is not a table', () => {
    expectError(Schema.model({ user: { ...user } }, {}), 'user', null, null, /not a table/)
    expectError(
      Schema.model({ user: JSON.parse(JSON.stringify(user)) as typeof user }, {}),
      'user',
      null,
      null,
      /not a table/,
    )
  })
})

describe('brands', () => {
  it('a column is recognised by its brand, a copy or a shaped literal is not one', () => {
    expect(isColumn(Column.integer)).toBe(true)
    expect(isColumn(Column.nullable(Column.integer))).toBe(true)
    expect(isColumn(Column.generated(Column.integer))).toBe(true)
    expect(isColumn({ ...Column.integer })).toBe(false)
    expect(isColumn(Object.freeze({ _tag: 'Column', codec: t.string, sqlType: 'text' }))).toBe(false)
  })
})

describe('preload where and orderBy values from untyped input', () => {
  const normalize = (spec: unknown) => Spec.normalize(Blog, 'post', spec)
  const expectInvalid = (r: E.Either<unknown, unknown>, message: RegExp) => {
    expect(E.isLeft(r)).toBe(true)
    if (E.isRight(r)) return
    expect(r.left).toMatchObject({ _tag: 'QueryError' })
    expect((r.left as { readonly message: string }).message).toMatch(message)
  }

  it('a BigInt in where or orderBy is a typed error, not a throw', () => {
    expectInvalid(
      normalize({ comments: Preload.query({ where: { id: 10n } } as never) }),
      /where.id: invalid filter 10n/,
    )
    expectInvalid(normalize({ comments: Preload.query({ orderBy: [10n] } as never) }), /cannot order by 10n/)
    expectInvalid(
      normalize({ comments: Preload.query({ orderBy: [['desc', 10n]] } as never) }),
      /cannot order by \["desc","10n"\]/,
    )
  })

  it('two queries holding BigInts are compared without throwing', () => {
    const spec = Spec.concat(
      { comments: Preload.query({ where: { id: 10n } } as never) },
      { comments: Preload.query({ where: { id: 10n } } as never) },
    )
    expectInvalid(normalize(spec), /where.id: invalid filter 10n/)
    const other = Spec.concat(
      { comments: Preload.query({ where: { id: 10n } } as never) },
      { comments: Preload.query({ where: { id: 11n } } as never) },
    )
    expectInvalid(normalize(other), /more than once with different queries/)
  })

  it('a where value the column codec rejects names the column', () => {
    expectInvalid(
      normalize({ comments: Preload.query({ where: { public: 'yes' } } as never) }),
      /where.public: "yes" is not a value of column 'comment.public' \(boolean\)/,
    )
    expectInvalid(
      normalize({ comments: Preload.query({ where: { id: Schema.isIn([1, 1.5]) } }) }),
      /1.5 is not a value of column 'comment.id'/,
    )
    expect(
      E.isRight(normalize({ comments: Preload.query({ where: { public: true, parent_id: null } }) })),
    ).toBe(true)
  })

  it('a where value shaped like a marker is a plain value', () => {
    expectInvalid(
      normalize({
        comments: Preload.query({ where: { parent_id: Object.freeze({ _tag: 'WhereNotNull' }) } } as never),
      }),
      /invalid filter \{"_tag":"WhereNotNull"\}/,
    )
    expect(E.isRight(normalize({ comments: Preload.query({ where: { parent_id: Schema.notNull } }) }))).toBe(
      true,
    )
  })

  it("unknown options list 'hops' only for a through", () => {
    const direct = normalize({ comments: Preload.query({ nope: 1 } as never) })
    expectInvalid(direct, /expected one of where, orderBy, limit, offset$/)
    const through = normalize({ commentsAuthors: Preload.query({ nope: 1 } as never) })
    expectInvalid(through, /expected one of where, orderBy, limit, offset, hops$/)
  })
})

describe('unique keys reach PostgreSQL through ddl', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await connect()
  })
  afterAll(async () => db.close())

  it('ddl declares them, and PostgreSQL enforces them', async () => {
    const owner = Schema.table(
      'owner',
      'uq_owners',
      { tenant_id: Column.integer, id: Column.integer, email: Column.text },
      { primaryKey: ['tenant_id', 'id'], unique: ['email'] },
    )
    const pet = Schema.table('pet', 'uq_pets', {
      id: Column.serial,
      owner_email: Column.nullable(Column.text),
    })
    const M = Schema.modelOrThrow(
      { owner, pet },
      { owner: { pets: Schema.hasMany('pet', { references: 'email', foreignKey: 'owner_email' }) } },
    )
    const statements = ddl(M)
    if (E.isLeft(statements)) throw new Error(statements.left.message)
    expect(statements.right[0]).toBe(
      'create table "uq_owners" ("tenant_id" integer not null, "id" integer not null, "email" text not null, primary key ("tenant_id", "id"), unique ("email"))',
    )
    for (const s of statements.right) await db.sql.unsafe(s)
    await db.sql.unsafe(`insert into uq_owners values (1, 1, 'a@x'), (2, 1, 'b@x')`)
    await expect(db.sql.unsafe(`insert into uq_owners values (3, 1, 'a@x')`)).rejects.toMatchObject({
      code: '23505',
    })
  })
})

describe('definitions that cannot even be read', () => {
  const trap = () => {
    throw new Error('trap')
  }
  const hostile = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap, has: trap })

  it('Schema.table records the problem instead of throwing', () => {
    const table = Schema.table as unknown as (...args: ReadonlyArray<unknown>) => Schema.Table
    const made = table('t', 't', hostile)
    expect(made.problems[0]?.reason).toMatch(/could not be read: .*trap/)
    const loose = Schema.model as unknown as (tables: unknown, defs: unknown) => E.Either<unknown, unknown>
    expectError(loose({ t: made }, {}), 't', null, null, /could not be read/)
  })

  it('Schema.model answers a Left for a proxy anywhere in the definitions', () => {
    expectError(Schema.model(hostile as never, {} as never), '(model)', null, null, /could not be read: trap/)
    expectError(define({ user: hostile }), '(model)', null, null, /could not be read/)
    expectError(define(has('posts', Schema.hasMany('post', hostile as never))), '(model)', null, null, /trap/)
  })

  it('Column and Association constructors keep junk for table/model to report', () => {
    const col = Column.nullable(hostile as never)
    expect(isColumn(col)).toBe(true)
    expect(Schema.table('t', 't', { id: col }).problems[0]?.option).toBe('columns.id')
    expectError(
      define(has('posts', Schema.hasMany('post', { where: { editor_id: Schema.isIn(hostile as never) } }))),
      'user',
      'posts',
      'where.editor_id',
      /isIn expects a list/,
    )
  })
})

describe('key types given by codecs alone', () => {
  interface UuidBrand {
    readonly Uuid: unique symbol
  }
  const Uuid = t.brand(t.string, (s): s is t.Branded<string, UuidBrand> => /^[0-9a-f-]{36}$/.test(s), 'Uuid')
  const Status = t.keyof({ draft: null, published: null })
  const org = Schema.table('org', 'orgs', { id: Uuid, status: Status })

  it('the same branded or keyof codec on both sides is the same type', () => {
    const user = Schema.table('user', 'users', {
      id: Column.serial,
      org_id: Uuid,
      status: Status,
    })
    expect(E.isRight(Schema.model({ org, user }, { user: { org: Schema.belongsTo('org') } }))).toBe(true)
  })

  it('a brand is probed through the codec it refines: boolean against a branded string differs', () => {
    const bad = Schema.table('bad', 'bads', { id: Column.serial, org_id: t.boolean })
    const r = Schema.model({ org, bad }, { bad: { org: Schema.belongsTo('org') } })
    expect(E.isLeft(r) && r.left).toMatchObject({ schema: 'bad', association: 'org', option: 'foreignKey' })
  })
})

describe('a table without an id column', () => {
  it('the default key is explained: name the key, or give primaryKey: [] for none', () => {
    const log = Schema.table('log', 'logs', { at: Column.timestamptz, line: Column.text })
    const r = Schema.model({ log }, {})
    expect(E.isLeft(r) && r.left.message).toMatch(/default primary key 'id'.*primaryKey: \[\]/)
    const keyless = Schema.table(
      'log',
      'logs',
      { at: Column.timestamptz, line: Column.text },
      { primaryKey: [] },
    )
    expect(E.isRight(Schema.model({ log: keyless }, {}))).toBe(true)
  })
})
