import { type DataSource } from 'typeorm';
import { Conflict, ImageNotFound, InvalidValue } from '@zun-ts/common';
import { type Image } from '@zun-ts/objects';
import { ImageEntity } from './entities';
import { type ImagePatch, type ImageRepository, type NewImage } from './image.types';
import { pageSql, type PageOptions } from './pagination';
import { exec, insertOf, select, type SqlEngine, type SqlValue, TableCodec, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

const PATCHABLE = new Set<string>(['image_id', 'size', 'repo', 'tag']);

/** ImageNotFound in Zun's words. */
export function imageNotFound(ident: string): ImageNotFound {
  return new ImageNotFound(`Image ${ident} could not be found.`);
}

/** Zun's message for a second row of one (repo, tag, host). */
function duplicateImage(repo: string, tag: string | null): Conflict {
  return new Conflict(`An image with tag ${tag ?? ''} and repo ${repo} already exists.`);
}

/** {@link ImageRepository} in SQL shared by both engines. */
export class SqlImageRepository implements ImageRepository {
  private readonly codec: TableCodec<Image>;
  private readonly selectAll: string;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.codec = new TableCodec(ds, ImageEntity);
    this.selectAll = `SELECT ${this.codec.selectList} FROM ${this.codec.quotedTable}`;
  }

  async create(image: NewImage): Promise<Image> {
    const row: Omit<Image, 'id'> = {
      uuid: image.uuid.toLowerCase(),
      project_id: image.project_id,
      user_id: image.user_id,
      image_id: image.image_id ?? null,
      repo: image.repo,
      tag: image.tag,
      size: image.size ?? null,
      host: image.host,
      created_at: new Date(),
      updated_at: null,
    };
    if (!row.repo) throw new InvalidValue('An image needs a repo.');
    const insert = insertOf(this.codec, row);
    const selectDuplicate = `SELECT \`id\` FROM ${this.codec.quotedTable} WHERE \`repo\` = ? AND \`tag\` = ? AND \`host\` = ?`;
    return this.engine.atomic(function* (): TxBody<Image> {
      // The unique index ignores NULLs, so a row without a tag or host is checked here as well.
      const [dup] = yield* select(selectDuplicate, [row.repo, row.tag, row.host]);
      if (dup) throw duplicateImage(row.repo, row.tag);
      try {
        const res = yield* exec(insert.sql, insert.params);
        return { id: res.insertId, ...row };
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicateImage(row.repo, row.tag);
        throw e;
      }
    });
  }

  async getByUuid(uuid: string): Promise<Image> {
    const [image] = await this.engine.selectAs(this.codec, `${this.selectAll} WHERE \`uuid\` = ?`, [uuid.toLowerCase()]);
    if (!image) throw imageNotFound(uuid);
    return image;
  }

  async list(opts: PageOptions = {}): Promise<Image[]> {
    const page = await pageSql(this.engine, this.codec, opts, 'id');
    const where = page.where.length ? ` WHERE ${page.where.join(' AND ')}` : '';
    return this.engine.selectAs(this.codec, `${this.selectAll}${where} ${page.orderBy} ${page.limit}`, page.params);
  }

  async update(uuid: string, patch: ImagePatch): Promise<Image> {
    const codec = this.codec;
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch) as [string, unknown][]) {
      if (value === undefined) continue;
      if (!PATCHABLE.has(key)) throw new InvalidValue(`Cannot update image field: ${key}`);
      sets.push(`\`${key}\` = ?`);
      params.push(codec.encode(key, value));
    }
    sets.push('`updated_at` = ?');
    params.push(codec.encode('updated_at', new Date()));
    const id = uuid.toLowerCase();
    params.push(id);
    const updateSql = `UPDATE ${codec.quotedTable} SET ${sets.join(', ')} WHERE \`uuid\` = ?`;
    const selectSql = `${this.selectAll} WHERE \`uuid\` = ?`;
    const repoTag = { repo: patch.repo, tag: patch.tag };
    return this.engine.atomic(function* (): TxBody<Image> {
      try {
        yield* exec(updateSql, params);
      } catch (e) {
        // The engine named the image as another row of this host already is.
        if (isUniqueViolation(e)) throw duplicateImage(repoTag.repo ?? '', repoTag.tag ?? null);
        throw e;
      }
      const [row] = yield* select(selectSql, [id]);
      if (!row) throw imageNotFound(uuid);
      return codec.decode(row);
    });
  }

  async destroy(uuid: string): Promise<void> {
    await this.engine.run(`DELETE FROM ${this.codec.quotedTable} WHERE \`uuid\` = ?`, [uuid.toLowerCase()]);
  }
}
