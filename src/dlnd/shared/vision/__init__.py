"""Vision code shared by the image projects, one module per role:

- :mod:`~dlnd.shared.vision.data`: image sets as uint8 tensors (MNIST, Fashion-MNIST, CIFAR-10
  readers), image files, and the normalisation layers that turn pixels into model inputs
- :mod:`~dlnd.shared.vision.augment`: augmentation of whole batches as tensor ops
- :mod:`~dlnd.shared.vision.models`: torchvision-compatible VGG and ResNet, and loading
  torchvision-format weights into them
- :mod:`~dlnd.shared.vision.evaluate`: logits with test-time flips, accuracy, confusion counts
- :mod:`~dlnd.shared.vision.classifier`: the trained image classifier that ``load()`` returns
- :mod:`~dlnd.shared.vision.lessons`: the lessons' experiments: several small classifiers
  trained one after another (the run's epochs), their curves, plots and table
"""
