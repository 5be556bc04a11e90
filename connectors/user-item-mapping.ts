/**
 * The user-item mapping of a related-items job (`input/user_item_mapping/*.csv`, columns USER_ID and
 * ITEM_ID in any order, other columns ignored): which item's related items each user receives. A user
 * gets one item's recommendations; when a user appears on several rows the last row read wins.
 */
import { splitCsvLine } from '../data-plane/origins/builtin/interactions-csv.ts';
import { JobInputError } from './errors.ts';
import { readLines } from './lines.ts';

export interface UserItemPair {
  user: string;
  item: string;
}

/**
 * @example
 * for await (const pairs of readUserItemMapping(createReadStream('map.csv'), 'map.csv')) index.add(pairs);
 * @throws JobInputError naming file and line: no USER_ID or ITEM_ID column, or a row without either value.
 */
export async function* readUserItemMapping(
  source: AsyncIterable<Buffer | string>,
  file: string,
): AsyncGenerator<UserItemPair[]> {
  let userColumn = -1;
  let itemColumn = -1;
  for await (const { first, lines } of readLines(source, file)) {
    const pairs: UserItemPair[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = first + i;
      let text = lines[i] ?? '';
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') continue;
      const split = splitCsvLine(text);
      if (!split) throw new JobInputError(file, line, 'a quoted field is not closed');
      const fields = split.map((f) => f.trim());
      if (userColumn < 0) {
        const header = fields.map((f) => f.toUpperCase());
        userColumn = header.indexOf('USER_ID');
        itemColumn = header.indexOf('ITEM_ID');
        const missing = [userColumn < 0 ? 'USER_ID' : '', itemColumn < 0 ? 'ITEM_ID' : ''].filter(Boolean);
        if (missing.length > 0) {
          throw new JobInputError(file, line, `header has no ${missing.join(' or ')} column (found: ${text})`);
        }
        continue;
      }
      const user = fields[userColumn];
      const item = fields[itemColumn];
      if (!user) throw new JobInputError(file, line, 'USER_ID is empty');
      if (!item) throw new JobInputError(file, line, 'ITEM_ID is empty');
      pairs.push({ user, item });
    }
    if (pairs.length > 0) yield pairs;
  }
  if (userColumn < 0) throw new JobInputError(file, 1, 'empty file: expected a header with USER_ID and ITEM_ID');
}
