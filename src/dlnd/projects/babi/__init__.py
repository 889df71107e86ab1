"""bAbI question answering: the course's RNN (Keras babi_rnn) and an end-to-end memory network
(PyTorch)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.babi.config import BabiConfig
from dlnd.projects.babi.data import all_files


def scored(cfg: BabiConfig) -> bool:
    """The checkable target is MemN2N's on QA1-10k; the other tasks' references are the
    bench's (bench/babi.py)."""
    return cfg.model == "memn2n" and cfg.task == "qa1" and cfg.size == "10k"


PROJECT = Project(
    name="babi",
    teaches="Question answering on bAbI: an RNN reads story and question; a memory network "
            "attends over the story's sentences in hops",
    engine="torch",
    config=BabiConfig,
    module="dlnd.projects.babi.train",
    data=all_files(),
    target_text="MemN2N test accuracy >= 99.5% on QA1-10k (Keras babi_memnn: 98.6%); over all "
                "tasks (bench/babi.py) a mean error within 2 points of the paper's 4.2%; the "
                "RNN on 1k: Keras's QA1 100%, QA2 50%, QA3 20.5%",
    target=(Criterion("test_acc", ">=", 0.995),),
    scores=scored,
    primary_metric="test_acc",
    epoch_metrics=("train/loss", "train/acc", "val/loss", "val/acc", "train/lr"),
    sweep_metric="val/loss",
    offers=("predict",),
    # 1,000 questions of qa1 (1k), 4 epochs of a 2-hop network, 1 of them linear start: a few
    # seconds on one thread
    quick={"size": "1k", "max_train": 1000, "max_test": 200, "epochs": 4,
           "hops": 2, "linear_start_epochs": 1, "lr_halving_epochs": 100, "threads": 1},
    order=34,
)
