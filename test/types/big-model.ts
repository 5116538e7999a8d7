// A generated 30-table model: a ring of tables, each with a has-many and a has-one to the next, a
// belongs-to the previous, a many-to-many to itself and two throughs. It keeps the cost of preload
// types in check (`npx tsc --noEmit -p .` time is reported with the preload work).
import { Column, Schema } from '../../src/index.js'

const s0 = Schema.table('s0', 't0', {
  id: Column.serial,
  s29_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s1 = Schema.table('s1', 't1', {
  id: Column.serial,
  s0_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s2 = Schema.table('s2', 't2', {
  id: Column.serial,
  s1_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s3 = Schema.table('s3', 't3', {
  id: Column.serial,
  s2_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s4 = Schema.table('s4', 't4', {
  id: Column.serial,
  s3_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s5 = Schema.table('s5', 't5', {
  id: Column.serial,
  s4_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s6 = Schema.table('s6', 't6', {
  id: Column.serial,
  s5_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s7 = Schema.table('s7', 't7', {
  id: Column.serial,
  s6_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s8 = Schema.table('s8', 't8', {
  id: Column.serial,
  s7_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s9 = Schema.table('s9', 't9', {
  id: Column.serial,
  s8_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s10 = Schema.table('s10', 't10', {
  id: Column.serial,
  s9_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s11 = Schema.table('s11', 't11', {
  id: Column.serial,
  s10_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s12 = Schema.table('s12', 't12', {
  id: Column.serial,
  s11_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s13 = Schema.table('s13', 't13', {
  id: Column.serial,
  s12_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s14 = Schema.table('s14', 't14', {
  id: Column.serial,
  s13_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s15 = Schema.table('s15', 't15', {
  id: Column.serial,
  s14_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s16 = Schema.table('s16', 't16', {
  id: Column.serial,
  s15_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s17 = Schema.table('s17', 't17', {
  id: Column.serial,
  s16_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s18 = Schema.table('s18', 't18', {
  id: Column.serial,
  s17_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s19 = Schema.table('s19', 't19', {
  id: Column.serial,
  s18_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s20 = Schema.table('s20', 't20', {
  id: Column.serial,
  s19_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s21 = Schema.table('s21', 't21', {
  id: Column.serial,
  s20_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s22 = Schema.table('s22', 't22', {
  id: Column.serial,
  s21_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s23 = Schema.table('s23', 't23', {
  id: Column.serial,
  s22_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s24 = Schema.table('s24', 't24', {
  id: Column.serial,
  s23_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s25 = Schema.table('s25', 't25', {
  id: Column.serial,
  s24_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s26 = Schema.table('s26', 't26', {
  id: Column.serial,
  s25_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s27 = Schema.table('s27', 't27', {
  id: Column.serial,
  s26_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s28 = Schema.table('s28', 't28', {
  id: Column.serial,
  s27_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})
const s29 = Schema.table('s29', 't29', {
  id: Column.serial,
  s28_id: Column.nullable(Column.integer),
  name: Column.text,
  big: Column.bigint,
  at: Column.timestamptz,
})

export const Big = Schema.modelOrThrow(
  {
    s0,
    s1,
    s2,
    s3,
    s4,
    s5,
    s6,
    s7,
    s8,
    s9,
    s10,
    s11,
    s12,
    s13,
    s14,
    s15,
    s16,
    s17,
    s18,
    s19,
    s20,
    s21,
    s22,
    s23,
    s24,
    s25,
    s26,
    s27,
    s28,
    s29,
  },
  {
    s0: {
      next: Schema.hasMany('s1'),
      first: Schema.hasOne('s1'),
      prev: Schema.belongsTo('s29', { foreignKey: 's29_id' }),
      peers: Schema.manyToMany('s0', {
        joinThrough: 'j0',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s1: {
      next: Schema.hasMany('s2'),
      first: Schema.hasOne('s2'),
      prev: Schema.belongsTo('s0', { foreignKey: 's0_id' }),
      peers: Schema.manyToMany('s1', {
        joinThrough: 'j1',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s2: {
      next: Schema.hasMany('s3'),
      first: Schema.hasOne('s3'),
      prev: Schema.belongsTo('s1', { foreignKey: 's1_id' }),
      peers: Schema.manyToMany('s2', {
        joinThrough: 'j2',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s3: {
      next: Schema.hasMany('s4'),
      first: Schema.hasOne('s4'),
      prev: Schema.belongsTo('s2', { foreignKey: 's2_id' }),
      peers: Schema.manyToMany('s3', {
        joinThrough: 'j3',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s4: {
      next: Schema.hasMany('s5'),
      first: Schema.hasOne('s5'),
      prev: Schema.belongsTo('s3', { foreignKey: 's3_id' }),
      peers: Schema.manyToMany('s4', {
        joinThrough: 'j4',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s5: {
      next: Schema.hasMany('s6'),
      first: Schema.hasOne('s6'),
      prev: Schema.belongsTo('s4', { foreignKey: 's4_id' }),
      peers: Schema.manyToMany('s5', {
        joinThrough: 'j5',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s6: {
      next: Schema.hasMany('s7'),
      first: Schema.hasOne('s7'),
      prev: Schema.belongsTo('s5', { foreignKey: 's5_id' }),
      peers: Schema.manyToMany('s6', {
        joinThrough: 'j6',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s7: {
      next: Schema.hasMany('s8'),
      first: Schema.hasOne('s8'),
      prev: Schema.belongsTo('s6', { foreignKey: 's6_id' }),
      peers: Schema.manyToMany('s7', {
        joinThrough: 'j7',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s8: {
      next: Schema.hasMany('s9'),
      first: Schema.hasOne('s9'),
      prev: Schema.belongsTo('s7', { foreignKey: 's7_id' }),
      peers: Schema.manyToMany('s8', {
        joinThrough: 'j8',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s9: {
      next: Schema.hasMany('s10'),
      first: Schema.hasOne('s10'),
      prev: Schema.belongsTo('s8', { foreignKey: 's8_id' }),
      peers: Schema.manyToMany('s9', {
        joinThrough: 'j9',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s10: {
      next: Schema.hasMany('s11'),
      first: Schema.hasOne('s11'),
      prev: Schema.belongsTo('s9', { foreignKey: 's9_id' }),
      peers: Schema.manyToMany('s10', {
        joinThrough: 'j10',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s11: {
      next: Schema.hasMany('s12'),
      first: Schema.hasOne('s12'),
      prev: Schema.belongsTo('s10', { foreignKey: 's10_id' }),
      peers: Schema.manyToMany('s11', {
        joinThrough: 'j11',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s12: {
      next: Schema.hasMany('s13'),
      first: Schema.hasOne('s13'),
      prev: Schema.belongsTo('s11', { foreignKey: 's11_id' }),
      peers: Schema.manyToMany('s12', {
        joinThrough: 'j12',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s13: {
      next: Schema.hasMany('s14'),
      first: Schema.hasOne('s14'),
      prev: Schema.belongsTo('s12', { foreignKey: 's12_id' }),
      peers: Schema.manyToMany('s13', {
        joinThrough: 'j13',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s14: {
      next: Schema.hasMany('s15'),
      first: Schema.hasOne('s15'),
      prev: Schema.belongsTo('s13', { foreignKey: 's13_id' }),
      peers: Schema.manyToMany('s14', {
        joinThrough: 'j14',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s15: {
      next: Schema.hasMany('s16'),
      first: Schema.hasOne('s16'),
      prev: Schema.belongsTo('s14', { foreignKey: 's14_id' }),
      peers: Schema.manyToMany('s15', {
        joinThrough: 'j15',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s16: {
      next: Schema.hasMany('s17'),
      first: Schema.hasOne('s17'),
      prev: Schema.belongsTo('s15', { foreignKey: 's15_id' }),
      peers: Schema.manyToMany('s16', {
        joinThrough: 'j16',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s17: {
      next: Schema.hasMany('s18'),
      first: Schema.hasOne('s18'),
      prev: Schema.belongsTo('s16', { foreignKey: 's16_id' }),
      peers: Schema.manyToMany('s17', {
        joinThrough: 'j17',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s18: {
      next: Schema.hasMany('s19'),
      first: Schema.hasOne('s19'),
      prev: Schema.belongsTo('s17', { foreignKey: 's17_id' }),
      peers: Schema.manyToMany('s18', {
        joinThrough: 'j18',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s19: {
      next: Schema.hasMany('s20'),
      first: Schema.hasOne('s20'),
      prev: Schema.belongsTo('s18', { foreignKey: 's18_id' }),
      peers: Schema.manyToMany('s19', {
        joinThrough: 'j19',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s20: {
      next: Schema.hasMany('s21'),
      first: Schema.hasOne('s21'),
      prev: Schema.belongsTo('s19', { foreignKey: 's19_id' }),
      peers: Schema.manyToMany('s20', {
        joinThrough: 'j20',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s21: {
      next: Schema.hasMany('s22'),
      first: Schema.hasOne('s22'),
      prev: Schema.belongsTo('s20', { foreignKey: 's20_id' }),
      peers: Schema.manyToMany('s21', {
        joinThrough: 'j21',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s22: {
      next: Schema.hasMany('s23'),
      first: Schema.hasOne('s23'),
      prev: Schema.belongsTo('s21', { foreignKey: 's21_id' }),
      peers: Schema.manyToMany('s22', {
        joinThrough: 'j22',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s23: {
      next: Schema.hasMany('s24'),
      first: Schema.hasOne('s24'),
      prev: Schema.belongsTo('s22', { foreignKey: 's22_id' }),
      peers: Schema.manyToMany('s23', {
        joinThrough: 'j23',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s24: {
      next: Schema.hasMany('s25'),
      first: Schema.hasOne('s25'),
      prev: Schema.belongsTo('s23', { foreignKey: 's23_id' }),
      peers: Schema.manyToMany('s24', {
        joinThrough: 'j24',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s25: {
      next: Schema.hasMany('s26'),
      first: Schema.hasOne('s26'),
      prev: Schema.belongsTo('s24', { foreignKey: 's24_id' }),
      peers: Schema.manyToMany('s25', {
        joinThrough: 'j25',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s26: {
      next: Schema.hasMany('s27'),
      first: Schema.hasOne('s27'),
      prev: Schema.belongsTo('s25', { foreignKey: 's25_id' }),
      peers: Schema.manyToMany('s26', {
        joinThrough: 'j26',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s27: {
      next: Schema.hasMany('s28'),
      first: Schema.hasOne('s28'),
      prev: Schema.belongsTo('s26', { foreignKey: 's26_id' }),
      peers: Schema.manyToMany('s27', {
        joinThrough: 'j27',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s28: {
      next: Schema.hasMany('s29'),
      first: Schema.hasOne('s29'),
      prev: Schema.belongsTo('s27', { foreignKey: 's27_id' }),
      peers: Schema.manyToMany('s28', {
        joinThrough: 'j28',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
    s29: {
      next: Schema.hasMany('s0'),
      first: Schema.hasOne('s0'),
      prev: Schema.belongsTo('s28', { foreignKey: 's28_id' }),
      peers: Schema.manyToMany('s29', {
        joinThrough: 'j29',
        joinKeys: [
          ['a_id', 'id'],
          ['b_id', 'id'],
        ],
      }),
      nextNext: Schema.through(['next', 'next']),
      prevFirst: Schema.throughOne(['prev', 'first']),
    },
  },
)
