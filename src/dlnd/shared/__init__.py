"""Domain code shared by several projects (vision, text, language models ...), built on
``dlnd.core``. No project imports another project: what two projects share lives here."""
