"""CDAP's pages: the file (lookup, summary sheet, sections, documents), the doctrine, the consultation report."""
