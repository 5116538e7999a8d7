// Every definition error `Schema.model` reports: each is a Left SchemaError whose fields and message name
// the schema, the association and the option at fault.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Column, Schema, type SchemaError } from '../../src/index.js'
import { comment, permalink, post, tag, user } from '../support/blog.js'

const tables = { user, post, comment, permalink, tag }
// Definitions from untyped input: the compiler would reject most of these, `model` must too.
const define = (defs: unknown) => Schema.model(tables, defs as never)
const loose = Schema.model as unknown as (tables: unknown, defs: unknown) => E.Either<SchemaError, unknown>

const expectError = (
  r: E.Either<unknown, unknown>,
  schema: string,
  association: string | null,
  option: string | null,
  reason: string | RegExp,
) => {
  if (E.isRight(r)) throw new Error('expected a SchemaError, the model was accepted')
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

describe('a valid model', () => {
  it('is accepted and resolves defaults', () => {
    const m = define({
      post: {
        comments: Schema.hasMany('comment'),
        author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      },
      comment: { post: Schema.belongsTo('post') },
    })
    expect(E.isRight(m)).toBe(true)
    if (E.isLeft(m)) return
    expect(m.right.associations.get('post')?.get('comments')).toMatchObject({
      _tag: 'HasMany',
      ownerKey: 'id',
      relatedKey: 'post_id',
      source: 'comments',
    })
    expect(m.right.associations.get('comment')?.get('post')).toMatchObject({
      ownerKey: 'post_id',
      relatedKey: 'id',
    })
  })

  it('hasOne accepts onReplace update (hasMany does not)', () => {
    expect(
      E.isRight(define({ post: { permalink: Schema.hasOne('permalink', { onReplace: 'update' }) } })),
    ).toBe(true)
  })
})

describe('targets and options', () => {
  it('unknown target schema', () => {
    expectError(
      define({ post: { notes: Schema.hasMany('note') } }),
      'post',
      'notes',
      'target',
      /unknown target schema 'note'/,
    )
    expectError(
      define({ post: { notes: Schema.manyToMany('note', { joinThrough: 'posts_notes' }) } }),
      'post',
      'notes',
      'target',
      /'note'/,
    )
  })

  it('unknown option, per kind', () => {
    const cases = [
      [Schema.hasMany('comment', { order: 'id' } as never), 'order'],
      [Schema.hasOne('permalink', { joinThrough: 'x' } as never), 'joinThrough'],
      [Schema.belongsTo('user', { foreignKey: 'author_id', onDelete: 'delete_all' } as never), 'onDelete'],
      [Schema.belongsTo('user', { foreignKey: 'author_id', preloadOrder: ['id'] } as never), 'preloadOrder'],
      [Schema.manyToMany('tag', { joinThrough: 'posts_tags', foreignKey: 'x' } as never), 'foreignKey'],
      [Schema.through(['comments', 'author'], { bogus: 1 } as never), 'bogus'],
    ] as const
    for (const [assoc, option] of cases)
      expectError(
        define({ post: { comments: Schema.hasMany('comment'), x: assoc } }),
        'post',
        'x',
        option,
        /unknown option|no meaning/,
      )
  })

  it('onDelete', () => {
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { onDelete: 'cascade' } as never) } }),
      'post',
      'comments',
      'onDelete',
      /invalid value "cascade"; expected one of 'nothing', 'nilify_all', 'delete_all'/,
    )
    expectError(
      define({
        post: {
          tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', onDelete: 'nilify_all' } as never),
        },
      }),
      'post',
      'tags',
      'onDelete',
      /"nilify_all"/,
    )
  })

  it("onReplace, including 'update' on hasMany", () => {
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { onReplace: 'update' } as never) } }),
      'post',
      'comments',
      'onReplace',
      /invalid value "update"/,
    )
    expectError(
      define({
        post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', onReplace: 'nilify' } as never) },
      }),
      'post',
      'tags',
      'onReplace',
      /"nilify"/,
    )
    expectError(
      define({ comment: { post: Schema.belongsTo('post', { onReplace: 'replace' } as never) } }),
      'comment',
      'post',
      'onReplace',
      /"replace"/,
    )
  })

  it('preloadOrder: direction, column, shape', () => {
    const bad = (preloadOrder: unknown) =>
      define({ post: { comments: Schema.hasMany('comment', { preloadOrder } as never) } })
    expectError(bad([['sideways', 'id']]), 'post', 'comments', 'preloadOrder', /invalid direction "sideways"/)
    expectError(
      bad([['asc', 'nope']]),
      'post',
      'comments',
      'preloadOrder',
      /ordered column 'nope' is not a column of schema 'comment'/,
    )
    expectError(bad(['nope']), 'post', 'comments', 'preloadOrder', /'nope'/)
    expectError(bad([['asc', 'id', 'extra']]), 'post', 'comments', 'preloadOrder', /invalid direction/)
    expectError(bad('id'), 'post', 'comments', 'preloadOrder', /expected a list/)
    expectError(
      define({
        post: {
          tags: Schema.manyToMany('tag', {
            joinThrough: 'posts_tags',
            preloadOrder: [['desc', 'title']],
          } as never),
        },
      }),
      'post',
      'tags',
      'preloadOrder',
      /'title' is not a column of schema 'tag'/,
    )
  })

  it('where: value form, shape, column', () => {
    const bad = (where: unknown) =>
      define({ post: { comments: Schema.hasMany('comment', { where } as never) } })
    expectError(
      bad({ public: { yes: true } }),
      'post',
      'comments',
      'where.public',
      /expected null, Schema.notNull/,
    )
    expectError(bad({ public: [true] }), 'post', 'comments', 'where.public', /expected null/)
    expectError(bad('public = true'), 'post', 'comments', 'where', /expected an object/)
    expectError(
      bad({ nope: 1 }),
      'post',
      'comments',
      'where.nope',
      /'nope' is not a column of schema 'comment'/,
    )
    expectError(
      bad({ id: Schema.isIn([{}] as never) }),
      'post',
      'comments',
      'where.id',
      /isIn expects a list of plain values/,
    )
    // A value shaped like a marker is a plain value, not the marker.
    expectError(
      bad({ id: Object.freeze({ _tag: 'WhereIn', values: [1] }) }),
      'post',
      'comments',
      'where.id',
      /expected null, Schema.notNull/,
    )
    expectError(
      define({
        post: {
          tags: Schema.manyToMany('tag', {
            joinThrough: 'posts_tags',
            joinWhere: { tag_id: { x: 1 } },
          } as never),
        },
      }),
      'post',
      'tags',
      'joinWhere.tag_id',
      /expected null/,
    )
  })

  it('fragment with zero or two self', () => {
    const zero = Schema.fragment`length(body) > ${5}`
    const two = Schema.fragment`${Schema.self} = ${Schema.self}`
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { where: { body: zero } }) } }),
      'post',
      'comments',
      'where.body',
      /exactly once, found 0/,
    )
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { where: { body: two } }) } }),
      'post',
      'comments',
      'where.body',
      /exactly once, found 2/,
    )
  })

  it('defaults: shape and columns', () => {
    const bad = (defaults: unknown) =>
      define({ post: { comments: Schema.hasMany('comment', { defaults } as never) } })
    expectError(bad(5), 'post', 'comments', 'defaults', /expected an object, a function/)
    expectError(
      bad({ nope: 1 }),
      'post',
      'comments',
      'defaults.nope',
      /defaulted column 'nope' is not a column of schema 'comment'/,
    )
    expectError(
      bad(Schema.withArgs(1 as never)),
      'post',
      'comments',
      'defaults',
      /withArgs expects a function/,
    )
    // Shaped like withArgs, it is a record of column values.
    expectError(
      bad({ _tag: 'DefaultsWithArgs', fn: () => ({}), args: [] }),
      'post',
      'comments',
      'defaults._tag',
      /defaulted column '_tag' is not a column/,
    )
    expect(E.isRight(bad({ public: true }))).toBe(true)
    expect(
      E.isRight(
        bad(
          Schema.withArgs(
            (c: Schema.Fields, _o: Schema.Fields | null, n: number) => ({ ...c, public: n > 0 }),
            1,
          ),
        ),
      ),
    ).toBe(true)
    expectError(
      define({
        post: {
          tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', joinDefaults: (() => ({})) as never }),
        },
      }),
      'post',
      'tags',
      'joinDefaults',
      /expected an object/,
    )
  })

  it('joinThrough', () => {
    expectError(
      define({ post: { tags: Schema.manyToMany('tag', {} as never) } }),
      'post',
      'tags',
      'joinThrough',
      /join table/,
    )
    expectError(
      define({ post: { tags: Schema.manyToMany('tag', { joinThrough: '' }) } }),
      'post',
      'tags',
      'joinThrough',
      /join table/,
    )
  })

  it('joinKeys: shape and columns', () => {
    const bad = (joinKeys: unknown) =>
      define({ post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', joinKeys } as never) } })
    expectError(bad([['post_id', 'id']]), 'post', 'tags', 'joinKeys', /expected \[\[joinOwnerKey, ownerKey\]/)
    expectError(bad('post_id'), 'post', 'tags', 'joinKeys', /expected \[\[/)
    expectError(
      bad([
        ['post_id', 'nope'],
        ['tag_id', 'id'],
      ]),
      'post',
      'tags',
      'joinKeys',
      /owner key 'nope' is not a column of schema 'post'/,
    )
    expectError(
      bad([
        ['post_id', 'id'],
        ['tag_id', 'nope'],
      ]),
      'post',
      'tags',
      'joinKeys',
      /related key 'nope' is not a column of schema 'tag'/,
    )
    // a join schema's columns are checked too
    const join = Schema.table(
      'post_tag',
      'posts_tags',
      { post_id: Column.integer, tag_id: Column.integer },
      { primaryKey: [] },
    )
    const m = Schema.model(
      { post, tag, post_tag: join },
      {
        post: {
          tags: Schema.manyToMany('tag', {
            joinThrough: 'post_tag',
            joinKeys: [
              ['article_id', 'id'],
              ['tag_id', 'id'],
            ],
          }),
        },
      },
    )
    expectError(
      m,
      'post',
      'tags',
      'joinKeys',
      /join owner key 'article_id' is not a column of schema 'post_tag'/,
    )
  })

  it('unique and onJoinThroughConflict', () => {
    expectError(
      define({
        post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', unique: 'yes' } as never) },
      }),
      'post',
      'tags',
      'unique',
      /expected a boolean/,
    )
    expectError(
      define({
        post: {
          tags: Schema.manyToMany('tag', {
            joinThrough: 'posts_tags',
            onJoinThroughConflict: 'ignore',
          } as never),
        },
      }),
      'post',
      'tags',
      'onJoinThroughConflict',
      /invalid value "ignore"; expected one of 'raise', 'nothing'/,
    )
  })

  it('source', () => {
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { source: '' }) } }),
      'post',
      'comments',
      'source',
      /table name/,
    )
    expectError(
      define({ comment: { post: Schema.belongsTo('post', { source: 5 } as never) } }),
      'comment',
      'post',
      'source',
      /table name/,
    )
  })
})

describe('keys', () => {
  it('references naming a missing column (hasMany, belongsTo)', () => {
    expectError(
      define({ user: { posts: Schema.hasMany('post', { references: 'uuid', foreignKey: 'author_id' }) } }),
      'user',
      'posts',
      'references',
      /referenced column 'uuid' is not a column of schema 'user'/,
    )
    expectError(
      define({ comment: { post: Schema.belongsTo('post', { references: 'slug' }) } }),
      'comment',
      'post',
      'references',
      /'slug' is not a column of schema 'post'/,
    )
  })

  it('foreignKey naming a missing column, given or defaulted', () => {
    expectError(
      define({ user: { posts: Schema.hasMany('post', { foreignKey: 'writer_id' }) } }),
      'user',
      'posts',
      'foreignKey',
      /foreign key 'writer_id' is not a column of schema 'post'/,
    )
    // the default <owner>_<references> = user_id does not exist on posts
    expectError(
      define({ user: { posts: Schema.hasMany('post') } }),
      'user',
      'posts',
      'foreignKey',
      /'user_id'/,
    )
    // belongsTo: default <name>_id on the owner
    expectError(
      define({ comment: { writer: Schema.belongsTo('user') } }),
      'comment',
      'writer',
      'foreignKey',
      /'writer_id' is not a column of schema 'comment'/,
    )
  })

  it('belongsTo foreignKey equal to the association name', () => {
    expectError(
      define({ comment: { writer: Schema.belongsTo('user', { foreignKey: 'writer' }) } }),
      'comment',
      'writer',
      'foreignKey',
      /must differ from the association name/,
    )
  })

  it('a schema with no primary key needs references', () => {
    const nokey = Schema.table('nokey', 'nokeys', { code: Column.text }, { primaryKey: [] })
    const m = Schema.model({ nokey, post }, { nokey: { posts: Schema.hasMany('post') } })
    expectError(m, 'nokey', 'posts', 'references', /has no primary key; set references/)
  })
})

describe('names and tables', () => {
  it('an association named like a column', () => {
    expectError(
      define({ post: { title: Schema.hasMany('comment') } }),
      'post',
      'title',
      'name',
      /already a column of schema 'post'/,
    )
  })

  it('a table keyed differently from its name', () => {
    expectError(Schema.model({ users: user }, {}), 'users', null, 'name', /keyed 'users' but named 'user'/)
  })

  it('a primary key that is not a column', () => {
    const t = Schema.table('thing', 'things', { code: Column.text })
    expectError(
      Schema.model({ thing: t }, {}),
      'thing',
      null,
      'primaryKey',
      /primary key 'id' is not a column/,
    )
  })

  it('associations for an unknown schema, and a value that is not an association', () => {
    expectError(
      define({ article: { x: Schema.hasMany('comment') } }),
      'article',
      null,
      null,
      /unknown schema 'article'/,
    )
    expectError(
      define({ post: { x: { _tag: 'HasLots', target: 'comment' } } }),
      'post',
      'x',
      null,
      /not an association/,
    )
  })
})

describe('shapes from untyped input', () => {
  it('tables and definitions that are not objects', () => {
    expectError(loose(5, {}), '(model)', null, 'tables', /expected an object of tables/)
    expectError(Schema.model(tables, null as never), '(model)', null, 'associations', /expected an object/)
    expectError(define({ post: 'comments' }), 'post', null, null, /expected an object of associations/)
    expectError(
      define({ post: { x: Schema.hasMany('comment', 'id' as never) } }),
      'post',
      'x',
      null,
      /options must be an object/,
    )
  })

  it('a table that was not built with Schema.table, or is malformed', () => {
    expectError(loose({ post: { name: 'post' } }, {}), 'post', null, null, /not a table/)
    // A copy of a table is not a table: only Schema.table builds one.
    expectError(Schema.model({ post: { ...post } }, {}), 'post', null, null, /not a table/)
    expectError(
      Schema.model({ post: Schema.table('post', '', post.input) }, {}),
      'post',
      null,
      'source',
      /expected a table name/,
    )
    expectError(
      Schema.model({ post: Schema.table('post', 'posts', {}) }, {}),
      'post',
      null,
      'columns',
      /at least one column/,
    )
    expectError(
      loose({ post: Schema.table('post', 'posts', { id: { codec: 5 } } as never) }, {}),
      'post',
      null,
      'columns.id',
      /io-ts codec or a Column/,
    )
  })

  it('a key option that is not a column name', () => {
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { foreignKey: '' }) } }),
      'post',
      'comments',
      'foreignKey',
      /expected a column name, got ""/,
    )
    expectError(
      define({ post: { comments: Schema.hasMany('comment', { references: 5 } as never) } }),
      'post',
      'comments',
      'references',
      /expected a column name, got 5/,
    )
  })

  it('a joinWhere on a join table given by name must still be an object of filters', () => {
    expectError(
      define({
        post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags', joinWhere: 'x' } as never) },
      }),
      'post',
      'tags',
      'joinWhere',
      /expected an object of column: value filters/,
    )
  })
})

describe('through', () => {
  it('shorter than two', () => {
    expectError(
      define({
        post: {
          comments: Schema.hasMany('comment'),
          x: Schema.through(['comments'] as never),
        },
      }),
      'post',
      'x',
      'through',
      /at least two/,
    )
  })

  const base = {
    comments: Schema.hasMany('comment'),
  }
  it('a hop missing at depth 1', () => {
    expectError(
      define({ post: { ...base, x: Schema.through(['remarks', 'author']) } }),
      'post',
      'x',
      'through',
      /schema 'post' has no association 'remarks'/,
    )
  })

  it('a hop missing at depth 2 and at depth 3 (the whole path is checked)', () => {
    expectError(
      define({ post: { ...base, x: Schema.through(['comments', 'writer']) } }),
      'post',
      'x',
      'through',
      /schema 'comment' has no association 'writer'/,
    )
    expectError(
      define({
        post: { ...base, x: Schema.through(['comments', 'author', 'pets']) },
        comment: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) },
      }),
      'post',
      'x',
      'through',
      /schema 'user' has no association 'pets'/,
    )
  })

  it('a missing hop in a through used as a hop of another', () => {
    expectError(
      define({
        post: {
          ...base,
          inner: Schema.through(['comments', 'nope']),
          outer: Schema.through(['inner', 'posts']),
        },
      }),
      'post',
      'inner',
      'through',
      /schema 'comment' has no association 'nope'/,
    )
  })

  it('cyclic throughs', () => {
    expectError(
      define({
        comment: {
          post: Schema.belongsTo('post'),
          a: Schema.through(['b', 'comments']),
          b: Schema.through(['a', 'post']),
        },
        post: { comments: Schema.hasMany('comment') },
      }),
      'comment',
      'a',
      'through',
      /cyclic/,
    )
  })

  it('options meaningless on a through are rejected', () => {
    for (const [option, value] of [
      ['where', { public: true }],
      ['preloadOrder', ['id']],
      ['onDelete', 'delete_all'],
      ['onReplace', 'delete'],
      ['defaults', { public: true }],
      ['source', 'x'],
    ] as const)
      expectError(
        define({ post: { ...base, x: Schema.through(['comments', 'post'], { [option]: value } as never) } }),
        'post',
        'x',
        option,
        /no meaning on a through/,
      )
  })

  it('a cardinality option contradicting the constructor is rejected (use throughOne)', () => {
    expectError(
      define({
        post: { ...base, x: Schema.through(['comments', 'post'], { cardinality: 'one' }) },
        comment: { post: Schema.belongsTo('post') },
      }),
      'post',
      'x',
      'cardinality',
      /throughOne/,
    )
  })
})

describe('modelOrThrow', () => {
  it('throws an Error with the message, the SchemaError attached', () => {
    let thrown: unknown
    try {
      Schema.modelOrThrow(tables, {
        post: { comments: Schema.hasMany('comment', { onDelete: 'cascade' } as never) },
      })
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(Error)
    expect((thrown as Error).message).toBe(
      `invalid association 'comments' of schema 'post', option 'onDelete': invalid value "cascade"; expected one of 'nothing', 'nilify_all', 'delete_all'`,
    )
    expect((thrown as { error: SchemaError }).error).toMatchObject({
      _tag: 'SchemaError',
      schema: 'post',
    })
  })
})
