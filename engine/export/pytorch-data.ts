import type { GraphDocument } from '../graph/schema';
import { labelColumns } from '../graph/training-schema';
import { pythonString } from './python-text';

type CsvSettings = Extract<GraphDocument['training']['dataset'], { source: 'csv' }>;

/**
 * Where the script's data comes from, and how it is read: IDX images and labels, a table Netloom wrote
 * (generated data: features, then the targets), the user's CSV file read by the document's settings, or
 * a folder of images with one subfolder per class. Paths are relative to the script, or given with --data.
 */
export type ScriptData =
  | { kind: 'idx'; files: [images: string, labels: string]; test?: [images: string, labels: string] }
  | { kind: 'table'; file: string; targets: number; labels: boolean }
  | {
      kind: 'csv';
      file: string;
      labelColumn: CsvSettings['labelColumn'];
      featureColumns?: string[];
      normalise: CsvSettings['normalise'];
    }
  | { kind: 'images'; folder: string };

const list = (items: readonly string[]) => `[${items.map(pythonString).join(', ')}]`;

/** The data settings as constants at the top of the script's data part. */
export function dataConstants(data: ScriptData): string[] {
  switch (data.kind) {
    case 'idx':
      return ["DATA_KIND = 'idx'", `DATA = ${list(data.files)}`, `TEST_DATA = ${data.test ? list(data.test) : 'None'}`];
    case 'table':
      return [
        "DATA_KIND = 'table'",
        `DATA = ${list([data.file])}`,
        'TEST_DATA = None',
        `# The table's last ${data.targets} column(s) are the targets${data.labels ? ' (class labels)' : ''}.`,
        `TARGETS = ${data.targets}`,
        `LABELS = ${data.labels ? 'True' : 'False'}`,
      ];
    case 'csv':
      return [
        "DATA_KIND = 'csv'",
        `DATA = ${list([data.file])}`,
        'TEST_DATA = None',
        `LABEL_COLUMNS = ${list(labelColumns(data))}  # several: a vector of values (or 0/1 labels) per row`,
        `FEATURE_COLUMNS = ${data.featureColumns ? list(data.featureColumns) : 'None'}  # None: all but the labels`,
        `NORMALISE = '${data.normalise}'`,
      ];
    case 'images':
      return ["DATA_KIND = 'images'", `DATA = ${list([data.folder])}`, 'TEST_DATA = None'];
  }
}

/** The Python that reads each kind of data exactly as Netloom reads it, and Netloom's generator. */
export const DATA_SOURCE = `def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array; images scaled from 0..255 to 0..1 as Netloom does."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError(f'{path}: not an IDX file of unsigned bytes')
    dims = struct.unpack(f">{data[3]}I", data[4:4 + 4 * data[3]])
    count = 1
    for d in dims:
        count *= d
    body = data[4 + 4 * data[3]:]
    if len(body) != count:
        raise ValueError(f'{path}: {len(body)} bytes of data for dimensions {list(dims)}')
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def netloom_order(text):
    """Netloom sorts names by their UTF-16 code units (as JavaScript does)."""
    return text.encode('utf-16-be')


def read_text(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return f.read().decode('utf-8-sig')


def guess_delimiter(text):
    """The delimiter Netloom's CSV reader (Papa Parse) guesses: the most fields per row, as even as can be."""
    best, best_delta, most = ',', None, None
    for delimiter in (',', '\\t', '|', ';', '\\x1e', '\\x1f'):
        rows = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 10))
        delta, previous, fields = 0, None, 0
        for row in rows:
            count = max(len(row), 1)
            fields += count
            if previous is None:
                previous = count
            else:
                delta += abs(count - previous)
                previous = count
        average = fields / len(rows) if rows else 0
        if (best_delta is None or delta <= best_delta) and (most is None or average > most) and average > 1.99:
            best, best_delta, most = delimiter, delta, average
    return best


DECIMAL = re.compile(r'[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?')


def numbers_at(row, columns, header, where):
    """The row's cells at the columns, as numbers written in decimal (Netloom refuses anything else)."""
    values = []
    for at in columns:
        cell = row[at].strip()
        if not DECIMAL.fullmatch(cell):
            raise ValueError(f'{where}, column {header[at]!r}: {cell!r} is not a number')
        values.append(float(cell))
    return values


def read_csv(path):
    """A CSV file with a header, as Netloom reads it: the feature columns (all but the labels unless named),
    normalised over the whole file; one label column's labels that are not all numbers become classes (names
    sorted), whole numbers from 0 class indices, other numbers values to fit; several target columns' numbers
    a vector per row."""
    text = read_text(path)
    rows = csv.reader(io.StringIO(text), delimiter=guess_delimiter(text))
    header = None
    features, labels = [], []
    for row in rows:
        if row == [] or row == ['']:
            continue
        if header is None:
            header = [name.strip() for name in row]
            missing = [c for c in LABEL_COLUMNS + (FEATURE_COLUMNS or []) if c not in header]
            if missing:
                raise ValueError(f'{path}: no column {missing[0]!r}; the columns are {header}')
            label_at = [header.index(c) for c in LABEL_COLUMNS]
            names = FEATURE_COLUMNS or [c for c in header if c not in LABEL_COLUMNS]
            feature_at = [header.index(c) for c in names]
            continue
        if len(row) != len(header):
            raise ValueError(f'{path} line {rows.line_num}: {len(row)} fields, the header has {len(header)}')
        features.append(numbers_at(row, feature_at, header, f'{path} line {rows.line_num}'))
        if len(label_at) == 1:
            labels.append(row[label_at[0]].strip())
        else:
            labels.append(numbers_at(row, label_at, header, f'{path} line {rows.line_num}'))
    if not labels:
        raise ValueError(f'{path}: no rows')
    x = np.array(features, dtype=np.float32)
    for j in range(x.shape[1]):
        column = x[:, j].astype(np.float64)
        if NORMALISE == 'min-max':
            low, high = column.min(), column.max()
            x[:, j] = (column - low) / (high - low if high > low else 1)
        elif NORMALISE == 'z-score':
            mean = column.sum() / len(column)
            std = math.sqrt(((column - mean) ** 2).sum() / len(column)) or 1
            x[:, j] = (column - mean) / std
    if len(label_at) > 1:
        return torch.from_numpy(x), torch.tensor(labels, dtype=torch.float32)
    numbers = [float(v) if DECIMAL.fullmatch(v) else None for v in labels]
    if all(v is not None for v in numbers):
        if all(v >= 0 and v == int(v) for v in numbers):
            return torch.from_numpy(x), torch.tensor([int(v) for v in numbers], dtype=torch.int64)
        return torch.from_numpy(x), torch.tensor(numbers, dtype=torch.float32).reshape(-1, 1)
    classes = sorted(set(labels), key=netloom_order)
    index = {name: i for i, name in enumerate(classes)}
    return torch.from_numpy(x), torch.tensor([index[v] for v in labels], dtype=torch.int64)


def image_samples(path):
    """An image's samples from 0 to 255 as Netloom decodes it, [H, W, 1 or 3]: palettes looked up, alpha
    dropped (not blended), bits below 8 scaled to the full range, 16-bit samples scaled by 1/257."""
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit('reading a folder of images needs Pillow (pip install pillow)')
    with Image.open(path) as image:
        mode = image.mode
        if mode in ('I;16', 'I;16B', 'I'):
            return np.asarray(image, dtype=np.float64)[:, :, None] / 257
        if mode in ('1', 'L', 'LA'):
            return np.asarray(image.convert('L'), dtype=np.float64)[:, :, None]
        return np.asarray(image.convert('RGB'), dtype=np.float64)


def resize(plane, height, width):
    """Bilinear resampling with pixel centres aligned (Netloom's), to 0..1, as float32."""
    h, w = plane.shape
    fy = np.clip((np.arange(height) + 0.5) * (h / height) - 0.5, 0, h - 1)
    fx = np.clip((np.arange(width) + 0.5) * (w / width) - 0.5, 0, w - 1)
    y0, x0 = np.floor(fy).astype(np.int64), np.floor(fx).astype(np.int64)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    wy, wx = (fy - y0)[:, None], fx - x0
    top = plane[y0][:, x0] * (1 - wx) + plane[y0][:, x1] * wx
    bottom = plane[y1][:, x0] * (1 - wx) + plane[y1][:, x1] * wx
    return ((top * (1 - wy) + bottom * wy) / 255).astype(np.float32)


def read_image_folder(folder, shape):
    """PNG and JPEG images under one subfolder per class (names sorted; the top subfolder names an image's
    class, whatever folders lie below it), in the order of their paths; each
    resized to the Input's [C, H, W], RGB or gray (the luma of the resized channels), from 0 to 1."""
    channels, height, width = shape
    paths = []
    for root, _, names in os.walk(folder):
        paths += [os.path.join(root, n) for n in names if re.search(r'\\.(png|jpe?g)$', n, re.IGNORECASE)]
    paths = sorted((os.path.relpath(p, folder).replace(os.sep, '/') for p in paths), key=netloom_order)
    if not paths:
        raise ValueError(f'{folder}: no PNG or JPEG images in its class subfolders')
    for p in paths:
        if '/' not in p:
            raise ValueError(f'{folder}/{p}: images must sit in a subfolder named after their class')
    classes = sorted({p.split('/')[0] for p in paths}, key=netloom_order)
    index = {name: i for i, name in enumerate(classes)}
    x = np.zeros([len(paths), channels, height, width], dtype=np.float32)
    for i, p in enumerate(paths):
        samples = image_samples(os.path.join(folder, p))
        planes = [resize(samples[:, :, min(c, samples.shape[2] - 1)], height, width) for c in range(3)]
        if channels == 3:
            x[i] = np.stack(planes)
        elif samples.shape[2] == 3:
            r, g, b = (plane.astype(np.float64) for plane in planes)
            x[i, 0] = 0.299 * r + 0.587 * g + 0.114 * b
        else:
            x[i, 0] = planes[0]
    return torch.from_numpy(x), torch.tensor([index[p.split('/')[0]] for p in paths], dtype=torch.int64)


def load(paths, input_shape):
    """(x, y) as tensors, read as DATA_KIND says."""
    if DATA_KIND == 'idx':
        images, labels = (read_idx(p) for p in paths)
        x = torch.from_numpy(images.astype(np.float32) / 255).reshape([len(labels)] + input_shape)
        return x, torch.from_numpy(labels.astype(np.int64))
    if DATA_KIND == 'images':
        return read_image_folder(paths[0], input_shape)
    if DATA_KIND == 'csv':
        x, y = read_csv(paths[0])
        return x.reshape([len(x)] + input_shape), y
    table = np.loadtxt(paths[0], delimiter=',', skiprows=1, dtype=np.float32, ndmin=2)
    x = torch.from_numpy(table[:, :-TARGETS].copy()).reshape([len(table)] + input_shape)
    if LABELS:
        return x, torch.from_numpy(table[:, -1].astype(np.int64))
    return x, torch.from_numpy(table[:, -TARGETS:].copy())


class NetloomRandom:
    """Netloom's generator (xoshiro128**, seeded by splitmix32), so that the validation split and every
    epoch's order of samples are the ones Netloom draws."""

    def __init__(self, seed=0, state=None):
        if state is not None:
            self.s = list(state)
            return
        self.s, x = [], seed & 0xFFFFFFFF
        for _ in range(4):
            x = (x + 0x9E3779B9) & 0xFFFFFFFF
            z = ((x ^ (x >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
            self.s.append(z ^ (z >> 16))

    def next_uint32(self):
        s = self.s
        m = s[1] * 5 & 0xFFFFFFFF
        result = (((m << 7) | (m >> 25)) & 0xFFFFFFFF) * 9 & 0xFFFFFFFF
        t = s[1] << 9 & 0xFFFFFFFF
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ((s[3] << 11) | (s[3] >> 21)) & 0xFFFFFFFF
        return result

    def shuffle(self, order):
        """Fisher-Yates, in place, as Netloom shuffles."""
        for i in range(len(order) - 1, 0, -1):
            j = self.next_uint32() % (i + 1)
            order[i], order[j] = order[j], order[i]


def split_validation(x, y):
    """Netloom's split: the last VALIDATION_SPLIT of a shuffled order (its own seed) is held out."""
    held = int(math.floor(len(y) * VALIDATION_SPLIT))
    order = list(range(len(y)))
    if held > 0:
        NetloomRandom(SEED ^ 0x5EED).shuffle(order)
    train, val = torch.tensor(order[:len(y) - held]), torch.tensor(order[len(y) - held:], dtype=torch.int64)
    return (x[train], y[train]), (x[val], y[val])`;

/** The same data with each of the user's paths changed (the bundled set and generated tables stay beside the script). */
export function withUserPaths(data: ScriptData, change: (path: string) => string): ScriptData {
  switch (data.kind) {
    case 'idx':
      return {
        kind: 'idx',
        files: [change(data.files[0]), change(data.files[1])],
        ...(data.test && { test: [change(data.test[0]), change(data.test[1])] as [string, string] }),
      };
    case 'csv':
      return { ...data, file: change(data.file) };
    case 'images':
      return { kind: 'images', folder: change(data.folder) };
    case 'table':
      return data;
  }
}
