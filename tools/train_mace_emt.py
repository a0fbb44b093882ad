"""Train a small ScaleShiftMACE on ASE's EMT copper (data no one here wrote) and export it for e3j's MD sample.

Data: fcc Cu (a = 3.6 A, 2x2x2 conventional cells, 32 atoms, periodic), ASE's `EMT` calculator, Langevin MD
(5 fs, friction 0.02) at 300, 600, 900 and 1200 K. Per temperature two independent trajectories (own seeds), each
from the perfect lattice with Maxwell-Boltzmann velocities: after `EQUILIBRATION_STEPS` steps one frame every
`SAMPLE_EVERY` steps, `TRAIN_FRAMES` from the first (training set), `TEST_FRAMES` from the second (held out).
Both sets are written as extxyz (energy, forces, and the temperature as `config_type`); an existing pair of files
is reused (`--regenerate` redraws them).

Model: `ScaleShiftMACE` with the hyperparameters in `MODEL`; E0 = EMT's isolated-atom energy;
`avg_num_neighbors` = edges / atoms of the training set; shift = mean per-atom interaction energy and scale = RMS
force component of the training set (mace's default `rms_forces_scaling`).

Training (plain PyTorch, float32 for speed, one thread): mace's `WeightedEnergyForcesLoss` (per-atom energy and force
squared errors) with mace's default weights, energy 1 / forces 100, then, for the last quarter of the epochs, mace's
second-stage weights, energy 1000 / forces 100; Adam (amsgrad) with lr 0.01 decaying exponentially to
`FINAL_LR`; batches of `BATCH_SIZE` frames in a seeded order; an exponential moving average of the parameters
(decay 0.99) is kept. Training stops early (and says so) when `--minutes` of wall time have passed. The exported
model is built afresh in float64 (so its buffers — `U_matrix_*`, `_w3j_*`, E0, scale, shift — are float64 exactly)
and takes the averaged parameters, widened; the metrics are this float64 model's.

Writes `samples/src/main/resources/dev/e3j/samples/md/mace-cu-emt.safetensors` (through `export_mace.export`),
`mace-cu-emt.json` beside it (constructor arguments, training settings, held-out metrics vs EMT) and
`tools/data/cu-emt-{train,test}.extxyz`.

Usage (the MACE environment on PYTHONPATH, see reference/models/README.md)::

    python3 tools/train_mace_emt.py [--epochs 12] [--minutes 15] [--regenerate]
"""
import argparse
import copy
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_mace import build_model, export  # noqa: E402  (imports mace)
from mace_graph import batch, from_atoms  # noqa: E402
from mace import modules  # noqa: E402

import ase  # noqa: E402
import ase.io  # noqa: E402
from ase import units  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.calculators.emt import EMT  # noqa: E402
from ase.calculators.singlepoint import SinglePointCalculator  # noqa: E402
from ase.md.langevin import Langevin  # noqa: E402
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SAMPLE_DIR = os.path.join(ROOT, "samples", "src", "main", "resources", "dev", "e3j", "samples", "md")
DATA_DIR = os.path.join(ROOT, "tools", "data")

LATTICE = 3.6
REPEAT = 2
TEMPERATURES = [300, 600, 900, 1200]
TIME_STEP_FS = 5.0
FRICTION = 0.02
EQUILIBRATION_STEPS = 60
SAMPLE_EVERY = 10
TRAIN_FRAMES = 30
TEST_FRAMES = 10
DATA_SEED = 2026

MODEL = OrderedDict(
    [
        ("r_max", 5.0),
        ("num_bessel", 8),
        ("num_polynomial_cutoff", 5),
        ("max_ell", 2),
        ("interaction_cls_first", "RealAgnosticResidualInteractionBlock"),
        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
        ("num_interactions", 2),
        ("hidden_irreps", "16x0e+16x1o"),
        ("MLP_irreps", "16x0e"),
        ("correlation", 3),
        ("gate", "silu"),
        ("radial_MLP", [32, 32, 32]),
    ]
)
MODEL_SEED = 7
BATCH_SIZE = 2
TRAIN_DTYPE = torch.float32
LEARNING_RATE = 0.01
FINAL_LR = 0.0005
EMA_DECAY = 0.99
STAGE_ONE = (1.0, 100.0)
STAGE_TWO = (1000.0, 100.0)


def _trajectory(temperature, seed, frames):
    """`frames` EMT-labelled snapshots of one Langevin run at `temperature` (K)."""
    atoms = bulk("Cu", "fcc", a=LATTICE, cubic=True).repeat(REPEAT)
    atoms.calc = EMT()
    rng = np.random.default_rng(seed)
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=rng)
    dynamics = Langevin(atoms, TIME_STEP_FS * units.fs, temperature_K=temperature, friction=FRICTION, rng=rng)
    dynamics.run(EQUILIBRATION_STEPS)
    snapshots = []
    for _ in range(frames):
        dynamics.run(SAMPLE_EVERY)
        snapshot = ase.Atoms(atoms.get_chemical_symbols(), positions=atoms.get_positions(), cell=atoms.get_cell(), pbc=True)
        snapshot.calc = SinglePointCalculator(snapshot, energy=atoms.get_potential_energy(), forces=atoms.get_forces())
        snapshot.info["config_type"] = f"T{temperature}"
        snapshots.append(snapshot)
    return snapshots


def generate_data(train_path, test_path):
    """Runs the MD of the module docstring and writes both extxyz files."""
    train, test = [], []
    for index, temperature in enumerate(TEMPERATURES):
        train += _trajectory(temperature, DATA_SEED + 2 * index, TRAIN_FRAMES)
        test += _trajectory(temperature, DATA_SEED + 2 * index + 1, TEST_FRAMES)
        print(f"EMT MD at {temperature} K: {TRAIN_FRAMES} + {TEST_FRAMES} frames", flush=True)
    os.makedirs(os.path.dirname(train_path), exist_ok=True)
    ase.io.write(train_path, train, format="extxyz")
    ase.io.write(test_path, test, format="extxyz")


def isolated_atom_energy():
    """EMT's energy of one Cu atom alone (E0 of the model)."""
    atom = ase.Atoms("Cu", positions=[[0.0, 0.0, 0.0]])
    atom.calc = EMT()
    return float(atom.get_potential_energy())


class _Reference(dict):
    """The labels of a batch as mace's loss reads them: items and attributes (`ref["energy"]`, `ref.ptr`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as missing:
            raise AttributeError(name) from missing


def _graphs(frames, atomic_numbers, r_max, dtype):
    """One (input dict, labels) pair per batch-of-one frame, precomputed once, floating tensors in `dtype`."""
    graphs = []
    for atoms in frames:
        data = batch([from_atoms(atoms)], atomic_numbers, r_max, dtype)
        labels = (
            torch.tensor([atoms.get_potential_energy()], dtype=dtype),
            torch.tensor(atoms.get_forces(), dtype=dtype),
        )
        graphs.append((data, labels))
    return graphs


def _collate(items):
    """Concatenates batch-of-one graphs into one batch (edge indices offset, batch/ptr rebuilt)."""
    keys = ("positions", "node_attrs", "shifts", "unit_shifts", "cell")
    data = {key: torch.cat([item[0][key] for item in items]) for key in keys}
    sizes = [item[0]["positions"].shape[0] for item in items]
    offsets = np.cumsum([0] + sizes)
    data["edge_index"] = torch.cat([item[0]["edge_index"] + int(offset) for item, offset in zip(items, offsets)], dim=1)
    data["batch"] = torch.cat([torch.full((n,), k, dtype=torch.int64) for k, n in enumerate(sizes)])
    data["ptr"] = torch.tensor(offsets, dtype=torch.int64)
    count = len(items)
    labels = _Reference(
        energy=torch.cat([item[1][0] for item in items]),
        forces=torch.cat([item[1][1] for item in items]),
        ptr=data["ptr"],
        weight=torch.ones(count, dtype=data["positions"].dtype),
        energy_weight=torch.ones(count, dtype=data["positions"].dtype),
        forces_weight=torch.ones(count, dtype=data["positions"].dtype),
    )
    return data, labels


def evaluate(model, graphs):
    """Energy MAE (meV/atom), force MAE and RMSE (meV/A) of `model` on `graphs`."""
    energy_errors, force_errors = [], []
    for data, (energy, forces) in graphs:
        inputs = {key: value.clone() for key, value in data.items()}
        out = model(inputs, training=False, compute_force=True)
        energy_errors.append((out["energy"].detach() - energy).abs().item() / forces.shape[0])
        force_errors.append((out["forces"].detach() - forces).reshape(-1))
    force_errors = torch.cat(force_errors)
    return OrderedDict(
        [
            ("frames", len(graphs)),
            ("energy_mae_meV_per_atom", 1000 * float(np.mean(energy_errors))),
            ("force_mae_meV_per_A", 1000 * force_errors.abs().mean().item()),
            ("force_rmse_meV_per_A", 1000 * force_errors.pow(2).mean().sqrt().item()),
        ]
    )


def _widened(trained, constructor):
    """A float64 ScaleShiftMACE built from `constructor` carrying `trained`'s parameters."""
    torch.set_default_dtype(torch.float64)
    model = build_model(constructor, "mace.modules.ScaleShiftMACE")
    parameters = OrderedDict((name, p.detach().double()) for name, p in trained.named_parameters())
    missing, unexpected = model.load_state_dict(parameters, strict=False)
    buffers = {name for name, _ in model.named_buffers()}
    if unexpected or set(missing) != buffers:
        raise AssertionError(f"parameters do not match: missing {sorted(set(missing) - buffers)}, unexpected {unexpected}")
    return model


def train(args):
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    train_path = os.path.join(DATA_DIR, "cu-emt-train.extxyz")
    test_path = os.path.join(DATA_DIR, "cu-emt-test.extxyz")
    if args.regenerate or not (os.path.exists(train_path) and os.path.exists(test_path)):
        generate_data(train_path, test_path)
    train_frames = ase.io.read(train_path, ":")
    test_frames = ase.io.read(test_path, ":")

    e0 = isolated_atom_energy()
    atomic_numbers = [29]
    train_graphs = _graphs(train_frames, atomic_numbers, MODEL["r_max"], TRAIN_DTYPE)
    test_graphs = _graphs(test_frames, atomic_numbers, MODEL["r_max"], TRAIN_DTYPE)
    atoms_total = sum(g[0]["positions"].shape[0] for g in train_graphs)
    edges_total = sum(g[0]["edge_index"].shape[1] for g in train_graphs)
    per_atom = [(a.get_potential_energy() - e0 * len(a)) / len(a) for a in train_frames]
    forces = np.concatenate([a.get_forces().reshape(-1) for a in train_frames])

    constructor = OrderedDict(MODEL)
    constructor["num_elements"] = 1
    constructor["atomic_energies"] = [e0]
    constructor["atomic_numbers"] = atomic_numbers
    constructor["pair_repulsion"] = False
    constructor["distance_transform"] = "None"
    constructor["radial_type"] = "bessel"
    constructor["avg_num_neighbors"] = edges_total / atoms_total
    constructor["atomic_inter_scale"] = float(np.sqrt(np.mean(forces**2)))
    constructor["atomic_inter_shift"] = float(np.mean(per_atom))

    torch.set_default_dtype(TRAIN_DTYPE)
    torch.manual_seed(MODEL_SEED)
    model = build_model(constructor, "mace.modules.ScaleShiftMACE")
    averaged = copy.deepcopy(model)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(parameters, lr=LEARNING_RATE, amsgrad=True)
    steps_per_epoch = (len(train_graphs) + BATCH_SIZE - 1) // BATCH_SIZE
    gamma = (FINAL_LR / LEARNING_RATE) ** (1.0 / (args.epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)
    order = np.random.default_rng(MODEL_SEED)
    stage_two_from = args.epochs - args.epochs // 4
    started = time.time()
    epochs_run = 0
    for epoch in range(args.epochs):
        weights = STAGE_TWO if epoch >= stage_two_from else STAGE_ONE
        loss_fn = modules.WeightedEnergyForcesLoss(energy_weight=weights[0], forces_weight=weights[1])
        permutation = order.permutation(len(train_graphs))
        total = 0.0
        for start in range(0, len(permutation), BATCH_SIZE):
            data, labels = _collate([train_graphs[k] for k in permutation[start : start + BATCH_SIZE]])
            optimizer.zero_grad()
            out = model(data, training=True, compute_force=True)
            loss = loss_fn(labels, out)
            loss.backward()
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                for target, source in zip(averaged.parameters(), model.parameters()):
                    target.mul_(EMA_DECAY).add_(source, alpha=1 - EMA_DECAY)
            total += loss.item()
        epochs_run = epoch + 1
        elapsed = time.time() - started
        if epoch % 5 == 4 or epoch == args.epochs - 1:
            metrics = evaluate(averaged, test_graphs)
            print(
                f"epoch {epochs_run}: loss {total / steps_per_epoch:.4g}, test E {metrics['energy_mae_meV_per_atom']:.3f} meV/atom, "
                f"F {metrics['force_mae_meV_per_A']:.2f} meV/A, {elapsed:.0f} s",
                flush=True,
            )
        if elapsed > 60 * args.minutes:
            print(f"stopped after {epochs_run} epochs: the {args.minutes}-minute wall-clock cap", flush=True)
            break

    training_seconds = time.time() - started
    final = _widened(averaged, constructor)
    held_out = evaluate(final, _graphs(test_frames, atomic_numbers, MODEL["r_max"], torch.float64))
    training_set = evaluate(final, _graphs(train_frames, atomic_numbers, MODEL["r_max"], torch.float64))
    os.makedirs(SAMPLE_DIR, exist_ok=True)
    model_path = os.path.join(SAMPLE_DIR, "mace-cu-emt.safetensors")
    exported = export(final, model_path, config="mace-cu-emt")
    summary = OrderedDict(
        [
            ("model", "mace.modules.ScaleShiftMACE"),
            ("versions", OrderedDict([("mace", "0.3.6"), ("e3nn", "0.4.4"), ("torch", torch.__version__), ("ase", ase.__version__)])),
            ("state_dict_file", "mace-cu-emt.safetensors"),
            ("constructor", exported),
            (
                "data",
                OrderedDict(
                    [
                        ("calculator", "ase.calculators.emt.EMT"),
                        ("structure", f"fcc Cu, a = {LATTICE} A, {REPEAT}x{REPEAT}x{REPEAT} conventional cells, {4 * REPEAT**3} atoms, pbc"),
                        ("md", f"Langevin, {TIME_STEP_FS} fs, friction {FRICTION}, {EQUILIBRATION_STEPS} steps equilibration, a frame every {SAMPLE_EVERY} steps"),
                        ("temperatures_K", TEMPERATURES),
                        ("train", OrderedDict([("file", "tools/data/cu-emt-train.extxyz"), ("frames", len(train_graphs))])),
                        ("test", OrderedDict([("file", "tools/data/cu-emt-test.extxyz"), ("frames", len(test_graphs)), ("note", "independent trajectories (own seeds)")])),
                        ("seed", DATA_SEED),
                    ]
                ),
            ),
            (
                "training",
                OrderedDict(
                    [
                        ("dtype", "float32 (exported: the averaged parameters in a float64 model)"),
                        ("loss", "mace.modules.WeightedEnergyForcesLoss"),
                        ("weights (energy, forces)", [list(STAGE_ONE), list(STAGE_TWO)]),
                        ("second_stage_from_epoch", stage_two_from + 1),
                        ("optimizer", f"Adam amsgrad, lr {LEARNING_RATE} -> {FINAL_LR} exponential"),
                        ("batch_size", BATCH_SIZE),
                        ("ema_decay", EMA_DECAY),
                        ("epochs", epochs_run),
                        ("seed", MODEL_SEED),
                        ("wall_seconds", round(training_seconds, 1)),
                    ]
                ),
            ),
            ("metrics_vs_emt", OrderedDict([("test", held_out), ("train", training_set)])),
        ]
    )
    with open(os.path.join(SAMPLE_DIR, "mace-cu-emt.json"), "w") as sink:
        json.dump(summary, sink, indent=1)
        sink.write("\n")
    print(json.dumps(summary["metrics_vs_emt"]))
    print(f"{model_path}: {os.path.getsize(model_path)} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="training epochs (default 12)")
    parser.add_argument("--minutes", type=float, default=15.0, help="wall-clock cap on the training loop (default 15)")
    parser.add_argument("--regenerate", action="store_true", help="redraw the EMT data even if the extxyz files exist")
    train(parser.parse_args(argv))


if __name__ == "__main__":
    main()
