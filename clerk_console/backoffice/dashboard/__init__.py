"""监管评价: the supervision dashboard (figures in ``service``, SVG in ``charts``, CSV in
``export``, pages in ``routes``)."""
