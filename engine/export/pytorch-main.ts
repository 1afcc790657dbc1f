import { augments } from '../data/augment';
import type { GraphDocument } from '../graph/schema';
import { pythonString } from './python-text';
import { augmentSource } from './pytorch-augment';
import { DATA_SOURCE, dataConstants, type ScriptData } from './pytorch-data';

/**
 * The script's entry point: reads the data as Netloom reads it, holds out Netloom's validation split, and
 * trains for the document's epochs with its sampling and Netloom's order of samples, on one process or,
 * under torchrun, on several with DistributedDataParallel (gloo on the CPU, nccl on CUDA). Each global batch
 * (the document's batch size) is cut evenly between the processes, so N processes take the steps one process
 * takes; rank 0 alone writes metrics, checkpoints (--resume goes on from one) and the weights.
 */
export function mainSource(
  doc: GraphDocument,
  name: string,
  data: ScriptData,
  inputShape: readonly number[],
  /** Netloom's generator after it drew the initial weights: where its shuffles of the samples start. */
  shuffleState: readonly number[],
): string[] {
  const t = doc.training;
  const batch = t.sampling === 'full-batch' ? 'len(train_y)' : t.sampling === 'stochastic' ? '1' : 'BATCH_SIZE';
  return [
    `NAME = ${pythonString(name)}`,
    `VALIDATION_SPLIT = ${t.validation.split}`,
    `INPUT_SHAPE = [${inputShape.join(', ')}]`,
    `PATIENCE = ${t.earlyStopping ? t.earlyStopping.patience : 'None'}`,
    `SHUFFLE = ${t.sampling === 'full-batch' ? 'False' : 'True'}`,
    `SHUFFLE_STATE = [${shuffleState.join(', ')}]`,
    '# The data, relative to this file unless given again with --data.',
    ...dataConstants(data),
    '',
    '',
    DATA_SOURCE,
    '',
    '',
    ...(augments(t.augmentation) ? [...augmentSource(t, inputShape), '', ''] : []),
    WRITE_SAFETENSORS,
    '',
    '',
    CHECKPOINTS,
    '',
    '',
    'def evaluate(model, x, y):',
    '    """Mean loss and accuracy (as the engine counts it) of the whole set."""',
    '    model.eval()',
    '    with torch.no_grad():',
    '        out = model(x)',
    '        return loss_of(out, y).item(), accuracy_of(out, y)',
    '',
    '',
    'def main():',
    '    parser = argparse.ArgumentParser(description=f"Trains {NAME} as Netloom does.")',
    "    parser.add_argument('--data', nargs='+', help='the training data: IDX images and labels, a CSV file or an image folder')",
    "    parser.add_argument('--epochs', type=int, default=EPOCHS)",
    "    parser.add_argument('--max-steps', type=int, default=None, help='stop after this many steps in all')",
    "    parser.add_argument('--out', default='.', help='where the weights, checkpoints and metrics are written')",
    "    parser.add_argument('--weights', default=None, help='start from these weights (.safetensors)')",
    "    parser.add_argument('--resume', default=None, help='go on from a checkpoint this script wrote (<out>/<name>-checkpoint.safetensors)')",
    "    parser.add_argument('--log-every', type=int, default=0, help='also print the loss every this many steps')",
    "    parser.add_argument('--sync-bn', action='store_true', help='batch statistics over all processes')",
    "    parser.add_argument('--amp', action='store_true', help='mixed precision (CUDA only)')",
    '    args = parser.parse_args()',
    '    global AMP',
    '    if args.amp:',
    '        if not torch.cuda.is_available():',
    "            parser.error('--amp needs a CUDA GPU')",
    '        AMP = torch.cuda.amp.GradScaler()',
    "    world = int(os.environ.get('WORLD_SIZE', '1'))",
    "    rank = int(os.environ.get('RANK', '0'))",
    '    device = torch.device("cpu")',
    '    if world > 1:',
    '        import torch.distributed as dist',
    "        backend = 'nccl' if torch.cuda.is_available() else 'gloo'",
    '        dist.init_process_group(backend)',
    '        if torch.cuda.is_available():',
    "            device = torch.device('cuda', int(os.environ.get('LOCAL_RANK', '0')))",
    '            torch.cuda.set_device(device)',
    '    here = os.path.dirname(os.path.abspath(__file__))',
    '    paths = args.data or [os.path.join(here, p) for p in DATA]',
    '    torch.manual_seed(SEED)',
    '    model = Net()',
    '    (train_x, train_y), (val_x, val_y) = split_validation(*load(paths, INPUT_SHAPE))',
    '    held = len(val_y)',
    '    if args.weights:',
    '        load_weights(model, args.weights)',
    '    else:',
    '        initialise(model)',
    '    model.to(device)',
    '    plain = model',
    '    if world > 1:',
    '        if args.sync_bn:',
    '            model = plain = nn.SyncBatchNorm.convert_sync_batchnorm(model)',
    '        model = torch.nn.parallel.DistributedDataParallel(model)',
    '    optimizer = make_optimizer(model)',
    `    batch = ${batch}`,
    '    # Where training stands; a checkpoint holds all of it, so that a resumed run goes on exactly.',
    '    random, order = NetloomRandom(state=SHUFFLE_STATE), list(range(len(train_y)))',
    '    epoch, position, step, total, seen, best, waited = 0, 0, 0, 0.0, 0, float("inf"), 0',
    '    if args.resume:',
    '        saved = load_checkpoint(args.resume, plain, optimizer)',
    "        random, order = NetloomRandom(state=saved['random']), saved['order']",
    "        epoch, position, step = saved['epoch'], saved['position'], saved['step']",
    "        total, seen, best, waited = saved['total'], saved['seen'], saved['best'], saved['waited']",
    '    stop = False',
    '    while epoch < args.epochs and not stop:',
    '        if position == 0:',
    '            # An epoch starts: Netloom shuffles the order it left (every process draws the same).',
    '            if SHUFFLE:',
    '                random.shuffle(order)',
    '            total, seen = 0.0, 0',
    '        while position < len(order):',
    '            idx = torch.tensor(order[position:position + batch], dtype=torch.int64)',
    "            first = 0  # the place of this process's first sample in the global batch",
    '            if world > 1 and len(idx) >= world:',
    '                first = rank * -(-len(idx) // world)',
    '                idx = idx.chunk(world)[rank]',
    augments(t.augmentation)
      ? '            x = augment(train_x[idx], step + 1, first)'
      : '            x = train_x[idx]',
    '            loss = train_step(model, optimizer, x.to(device), train_y[idx].to(device), epoch)',
    '            total += loss * len(idx)',
    '            seen += len(idx)',
    '            step += 1',
    '            position = min(position + batch, len(order))',
    '            if args.log_every and step % args.log_every == 0 and rank == 0:',
    '                print(json.dumps({"step": step, "loss": loss}), flush=True)',
    '            if args.max_steps is not None and step >= args.max_steps:',
    '                stop = True',
    '                break',
    '        if position == len(order):',
    '            record = {"epoch": epoch, "step": step, "train_loss": total / max(seen, 1), "lr": learning_rate(epoch)}',
    '            if held > 0:',
    '                record["val_loss"], record["val_accuracy"] = evaluate(plain, val_x.to(device), val_y.to(device))',
    '            if rank == 0:',
    '                print(json.dumps(record), flush=True)',
    '            # Early stopping watches the validation loss (the training loss without a validation set).',
    '            watched = record["val_loss"] if held > 0 else record["train_loss"]',
    '            best, waited = (watched, 0) if watched < best else (best, waited + 1)',
    '            stop = stop or (PATIENCE is not None and waited >= PATIENCE)',
    '            epoch, position = epoch + 1, 0',
    '        if rank == 0:',
    "            where = {'random': random.s, 'order': order, 'epoch': epoch, 'position': position, 'step': step,",
    "                     'total': total, 'seen': seen, 'best': best, 'waited': waited}",
    "            save_checkpoint(os.path.join(args.out, NAME + '-checkpoint.safetensors'), plain, optimizer, where)",
    '    if rank == 0 and TEST_DATA is not None and not args.data:',
    '        test_x, test_y = load([os.path.join(here, p) for p in TEST_DATA], INPUT_SHAPE)',
    '        test_loss, test_accuracy = evaluate(plain, test_x.to(device), test_y.to(device))',
    '        print(json.dumps({"test_loss": test_loss, "test_accuracy": test_accuracy}), flush=True)',
    '    if rank == 0:',
    '        os.makedirs(args.out, exist_ok=True)',
    "        write_safetensors(os.path.join(args.out, NAME + '.safetensors'), plain.state_dict())",
    '    if world > 1:',
    '        dist.destroy_process_group()',
    '',
    '',
    "if __name__ == '__main__':",
    '    main()',
  ];
}

const WRITE_SAFETENSORS = `def write_safetensors(path, tensors, metadata=None):
    """Tensors (as F32) and text metadata as a .safetensors file, written whole, then renamed over the old."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for key, value in tensors.items():
        blob = value.detach().cpu().float().contiguous().numpy().astype('<f4').tobytes()
        header[key] = {'dtype': 'F32', 'shape': list(value.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode('utf-8')
    text += b' ' * ((8 - (8 + len(text)) % 8) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
    os.replace(path + '.tmp', path)`;

/**
 * Checkpoints for --resume, as safetensors (no pickle: a checkpoint from elsewhere is data only): the
 * module's and the optimizer's tensors, and where training stands (the epoch, the position in it, the
 * order of samples and the generator) with the optimizer's settings as JSON in the metadata.
 */
const CHECKPOINTS = `def save_checkpoint(path, model, optimizer, where):
    tensors = {'model.' + k: v for k, v in model.state_dict().items()}
    state, scalars = optimizer.state_dict(), {}
    for i, slots in state['state'].items():
        for name, value in slots.items():
            if torch.is_tensor(value):
                tensors[f'optimizer.{i}.{name}'] = value
            else:
                scalars[f'{i}.{name}'] = value
    info = dict(where, param_groups=state['param_groups'], scalars=scalars)
    if AMP is not None:
        info['scaler'] = AMP.state_dict()
    write_safetensors(path, tensors, {'netloom': json.dumps(info)})


def load_checkpoint(path, model, optimizer):
    """Loads a checkpoint of save_checkpoint's into the module and the optimizer; where training stood."""
    tensors, metadata = read_safetensors(path, metadata=True)
    if 'netloom' not in metadata:
        raise ValueError(f'{path}: not a checkpoint of this script (no training state in its metadata)')
    info = json.loads(metadata['netloom'])
    model.load_state_dict({k[len('model.'):]: v for k, v in tensors.items() if k.startswith('model.')})
    state = {}
    for key, value in tensors.items():
        if key.startswith('optimizer.'):
            _, i, name = key.split('.', 2)
            state.setdefault(int(i), {})[name] = value
    for key, value in info['scalars'].items():
        i, name = key.split('.', 1)
        state.setdefault(int(i), {})[name] = value
    optimizer.load_state_dict({'state': state, 'param_groups': info['param_groups']})
    if AMP is not None and 'scaler' in info:
        AMP.load_state_dict(info['scaler'])
    return info`;
