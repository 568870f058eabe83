// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * probe: identity and topology from libblkid, queue limits from sysfs, and
 * the state the safety checks need (read-only, mounted, held, signatures).
 * Nothing here reads device data except signature probing, which only runs
 * when asked for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include <blkid/blkid.h>
#include <libmount/libmount.h>

#include "internal.h"

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Whether fs's source is the block device rdev, by path. */
static int source_is(struct libmnt_fs *fs, dev_t rdev)
{
	const char *src = mnt_fs_get_srcpath(fs);
	struct stat st;

	return src && src[0] == '/' && !stat(src, &st) && S_ISBLK(st.st_mode) &&
	       st.st_rdev == rdev;
}

/* Looks for rdev among mounted file systems (by device number, and by the
 * mount source for file systems such as btrfs that report a private
 * st_dev) and active swap areas, through libmount as lsblk does. */
static int find_mount(dev_t rdev, char *mnt, size_t len)
{
	struct libmnt_table *tb;
	struct libmnt_iter *itr;
	struct libmnt_fs *fs = NULL;
	int found = 0;

	itr = mnt_new_iter(MNT_ITER_FORWARD);
	if (!itr)
		return 0;
	tb = mnt_new_table_from_file("/proc/self/mountinfo");
	if (tb) {
		fs = mnt_table_find_devno(tb, rdev, MNT_ITER_FORWARD);
		while (!fs && mnt_table_next_fs(tb, itr, &fs) == 0)
			if (!source_is(fs, rdev))
				fs = NULL;
		if (fs) {
			copy_str(mnt, len, mnt_fs_get_target(fs));
			found = 1;
		}
		mnt_unref_table(tb);
	}
	tb = found ? NULL : mnt_new_table();
	if (tb && mnt_table_parse_swaps(tb, NULL) == 0) {
		mnt_reset_iter(itr, MNT_ITER_FORWARD);
		while (!found && mnt_table_next_fs(tb, itr, &fs) == 0)
			found = source_is(fs, rdev);
		if (found)
			copy_str(mnt, len, "[SWAP]");
	}
	mnt_unref_table(tb);
	mnt_free_iter(itr);
	return found;
}

/* Checks the device, and for a whole disk each of its partitions. */
static void probe_mounts(struct pmdzero_probe *p, dev_t rdev, const char *disk)
{
	char path[PATH_MAX];
	struct dirent *de;
	dev_t devno;
	DIR *d;

	p->mounted = find_mount(rdev, p->mountpoint, sizeof(p->mountpoint));
	if (p->mounted || !p->whole_disk)
		return;
	d = opendir(disk);
	if (!d)
		return;
	while (!p->mounted && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/partition", disk, de->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s", disk, de->d_name);
		if (pz_read_devno(path, &devno))
			continue;
		p->mounted = find_mount(devno, p->mountpoint, sizeof(p->mountpoint));
	}
	closedir(d);
}

static void probe_holders(struct pmdzero_probe *p, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/holders", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!p->holders++)
			copy_str(p->holder, sizeof(p->holder), de->d_name);
	}
	closedir(d);
}

static int probe_queue(struct pmdzero_probe *p, const char *disk,
		       struct pmdzero_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} limits[] = {
		{ "max_sectors_kb", offsetof(struct pmdzero_probe, max_sectors_kb) },
		{ "max_hw_sectors_kb", offsetof(struct pmdzero_probe, max_hw_sectors_kb) },
		{ "max_segments", offsetof(struct pmdzero_probe, max_segments) },
		{ "max_segment_size", offsetof(struct pmdzero_probe, max_segment_size) },
		{ "write_zeroes_max_bytes", offsetof(struct pmdzero_probe, write_zeroes_max_bytes) },
		{ "discard_max_bytes", offsetof(struct pmdzero_probe, discard_max_bytes) },
	};
	char q[PATH_MAX], path[PATH_MAX + 16];
	uint64_t v;
	size_t i;
	int ret;

	snprintf(q, sizeof(q), "%s/queue", disk);
	for (i = 0; i < PZ_ARRAY_SIZE(limits); i++) {
		ret = pz_read_u64(q, limits[i].name, (uint64_t *)((char *)p + limits[i].off));
		if (ret)
			return pz_error(err, ret, "cannot read queue limit %s: %s",
					limits[i].name, strerror(-ret));
	}
	snprintf(path, sizeof(path), "%s/zoned", q);
	if (pz_read_file(path, p->zoned, sizeof(p->zoned)))
		copy_str(p->zoned, sizeof(p->zoned), "none");
	p->rotational = pz_read_u64(q, "rotational", &v) == 0 && v;
	return 0;
}

/* A libblkid probe on an open device; the caller frees it. */
static int new_blkid_probe(int fd, blkid_probe *prp, struct pmdzero_error *err)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr)
		return pz_error(err, -ENOMEM, "cannot allocate a blkid probe");
	if (blkid_probe_set_device(pr, fd, 0, 0)) {
		blkid_free_probe(pr);
		return pz_error(err, -EIO, "blkid cannot use the device");
	}
	*prp = pr;
	return 0;
}

/* libblkid topology; falls back on sysfs values for what it lacks. */
static int probe_blkid(struct pmdzero_probe *p, int fd, const char *disk,
		       struct pmdzero_error *err)
{
	char q[PATH_MAX];
	blkid_topology tp;
	blkid_probe pr;
	uint64_t v;
	int rc;

	rc = new_blkid_probe(fd, &pr, err);
	if (rc)
		return rc;
	p->size = (uint64_t)blkid_probe_get_size(pr);
	p->logical_block_size = blkid_probe_get_sectorsize(pr);
	tp = blkid_probe_get_topology(pr);
	if (tp) {
		p->minimum_io_size = blkid_topology_get_minimum_io_size(tp);
		p->optimal_io_size = blkid_topology_get_optimal_io_size(tp);
		p->alignment_offset = (int64_t)blkid_topology_get_alignment_offset(tp);
		p->physical_block_size = (unsigned int)blkid_topology_get_physical_sector_size(tp);
		if (blkid_topology_get_logical_sector_size(tp))
			p->logical_block_size = (unsigned int)blkid_topology_get_logical_sector_size(tp);
	}
	blkid_free_probe(pr);

	snprintf(q, sizeof(q), "%s/queue", disk);
	if (!p->logical_block_size && !pz_read_u64(q, "logical_block_size", &v))
		p->logical_block_size = (unsigned int)v;
	if (!p->physical_block_size && !pz_read_u64(q, "physical_block_size", &v))
		p->physical_block_size = (unsigned int)v;
	if (!p->minimum_io_size && !pz_read_u64(q, "minimum_io_size", &v))
		p->minimum_io_size = v;
	if (!p->logical_block_size || (p->logical_block_size & (p->logical_block_size - 1)))
		return pz_error(err, -EINVAL, "cannot determine the logical block size");
	if (!p->physical_block_size)
		p->physical_block_size = p->logical_block_size;
	return 0;
}

int pz_probe_signatures(struct pmdzero_probe *p, int fd, struct pmdzero_error *err)
{
	const char *v;
	blkid_probe pr;
	int rc;

	rc = new_blkid_probe(fd, &pr, err);
	if (rc)
		return rc;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, 1);
	rc = blkid_do_safeprobe(pr);
	p->fs_type[0] = p->pt_type[0] = '\0';
	if (rc == 0) {
		if (!blkid_probe_lookup_value(pr, "TYPE", &v, NULL))
			copy_str(p->fs_type, sizeof(p->fs_type), v);
		if (!blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL))
			copy_str(p->pt_type, sizeof(p->pt_type), v);
	} else if (rc == -2) {
		/* More than one signature: blkid refuses to pick, so do we. */
		copy_str(p->fs_type, sizeof(p->fs_type), "ambivalent signatures");
	}
	blkid_free_probe(pr);
	if (rc == -1)
		return pz_error(err, -EIO, "blkid signature probing failed");
	p->signatures_probed = 1;
	return 0;
}

int pz_probe_fd(int fd, dev_t rdev, unsigned int flags, struct pmdzero_probe *p,
		struct pmdzero_error *err)
{
	struct pz_sysfs s;
	uint64_t start;
	int ret, ro = 0;

	p->major = major(rdev);
	p->minor = minor(rdev);
	ret = pz_sysfs_resolve(rdev, &s);
	if (ret)
		return pz_error(err, ret, "cannot find the device in sysfs: %s", strerror(-ret));
	p->whole_disk = !s.is_partition;
	copy_str(p->name, sizeof(p->name), s.name);
	copy_str(p->queue_name, sizeof(p->queue_name), s.disk_name);
	p->queue_major = major(s.disk_devno);
	p->queue_minor = minor(s.disk_devno);
	/* sysfs counts a partition's start in 512 B sectors. */
	if (s.is_partition && !pz_read_u64(s.dir, "start", &start))
		p->partition_start = start * 512;

	ret = probe_blkid(p, fd, s.disk, err);
	if (ret)
		return ret;
	ret = probe_queue(p, s.disk, err);
	if (ret)
		return ret;
	if (ioctl(fd, BLKROGET, &ro) == 0)
		p->read_only = ro != 0;
	probe_mounts(p, rdev, s.disk);
	probe_holders(p, s.dir);
	if (flags & PMDZERO_PROBE_SIGNATURES)
		return pz_probe_signatures(p, fd, err);
	return 0;
}

int pz_stat_blockdev(const char *path, struct stat *st, struct pmdzero_error *err)
{
	if (!path || !*path)
		return pz_error(err, -EINVAL, "empty device path");
	if (stat(path, st))
		return pz_error(err, -errno, "%s", strerror(errno));
	if (!S_ISBLK(st->st_mode))
		return pz_error(err, -ENOTBLK, "not a block device");
	return 0;
}

int pz_probe_path(const char *path, unsigned int flags, struct pmdzero_probe *p,
		  struct pmdzero_error *err)
{
	struct stat st;
	int fd, ret;

	pz_error_clear(err);
	memset(p, 0, sizeof(*p));
	ret = pz_stat_blockdev(path, &st, err);
	if (ret)
		return ret;
	copy_str(p->path, sizeof(p->path), path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pz_error(err, -errno, "cannot open: %s", strerror(errno));
	ret = pz_probe_fd(fd, st.st_rdev, flags, p, err);
	close(fd);
	return ret;
}

int pmdzero_probe(const char *path, unsigned int flags, struct pmdzero_probe *p,
		  struct pmdzero_error *err)
{
	return pz_probe_path(path, flags, p, err);
}

struct pmdzero_probe *pmdzero_probe_new(const char *path, unsigned int flags,
					struct pmdzero_error *err)
{
	struct pmdzero_probe *p = calloc(1, sizeof(*p));

	if (!p) {
		pz_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (pz_probe_path(path, flags, p, err)) {
		free(p);
		return NULL;
	}
	return p;
}

void pmdzero_probe_free(struct pmdzero_probe *p)
{
	free(p);
}
