"""dlnd: the Deep Learning Nanodegree Foundation projects as runnable software.

``dlnd.run(project, **config)`` trains a project and returns its summary; ``dlnd.load(run_dir)``
gives back the trained model; ``dlnd.engine`` is the from-scratch NumPy autodiff engine.
"""

from dlnd.app.api import load, run

__all__ = ["load", "run"]
__version__ = "0.1.0"
