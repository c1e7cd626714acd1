"""CDAP: partners consult a beneficiary's file, section by section, within what their profile grants (CDP-1..9).

Which sections a viewer sees is the engine's decision (``consulter cdap.section.<code>``); the data comes from a
``BeneficiaryFileSource`` chosen by settings; every consultation is journalled and counted against a daily
ceiling. See ``docs/cdap.md``.
"""
