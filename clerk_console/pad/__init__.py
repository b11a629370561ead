"""The applicant's rating pad (评价器): a page the window's PC serves on the hall LAN to a tablet
or second screen facing the applicant, paired with a one-time code (``clerk-console pad``)."""
